/**
 * Child process of the benchmark: runs every home's real LockAgent and CameraAgent (the
 * @threshold/devices agents, speaking protocol v1 over sockets with Nagle off) against the
 * server's broker, on the machine's second core. Every camera streams: a door opens only while its
 * witness camera's video is fresh on the server, so each one uploads synthetic 1 KiB segments on the
 * real 2 s cadence over HTTP with its device credentials, as a real camera does (0.5 uploads/s per
 * camera, part of the load the visits meet). Also runs the baseline's echo device: a bare MQTT
 * client that answers each command on its ack topic at once, with no parsing or signing.
 *
 *   node --import tsx bench/agents.ts <world.json>
 *
 * Talks to the parent over IPC (see AgentCommand / AgentReport in lib.ts) and exits when told
 * to or when the parent goes away.
 */
import { readFileSync } from "node:fs";
import { CameraAgent, type DeviceIdentity, LockAgent, SyntheticVideoSource } from "@threshold/devices";
import { connectMqtt, deviceTopic, waitForConnect } from "@threshold/protocol";
import { type AgentCommand, type AgentReport, CpuMeter, type UploadTotals } from "./lib.js";

interface AgentsFile {
  brokerUrl: string;
  /** The server's HTTP base URL, where the cameras upload their segments. */
  serverUrl: string;
  devices: DeviceIdentity[];
  baseline: DeviceIdentity;
}

const CONNECT_CONCURRENCY = 50;
/** The ack the echo device sends back: about the size of a real signed ack; never parsed by the echo. */
const ECHO_ACK = Buffer.from(JSON.stringify({ v: 1, echo: true, pad: "x".repeat(280) }));

const send = (report: AgentReport) => process.send?.(report);
let quiet = false;
let errors = 0;
const log = (line: string) => {
  errors++;
  if (!quiet && errors <= 10) process.stderr.write(`[agents] ${line}\n`);
};

const exit = () => {
  quiet = true;
  process.exit(0);
};
process.on("disconnect", exit);
process.on("SIGINT", () => {}); // the parent decides; it sends "stop" or goes away
process.on("SIGTERM", exit);

const meter = new CpuMeter();
const cameras: CameraAgent[] = [];
/** Segments the cameras uploaded, had refused and dropped unsent so far, summed. */
function uploadTotals(): UploadTotals {
  const totals = { uploaded: 0, refused: 0, dropped: 0 };
  for (const camera of cameras) {
    const { uploaded, refused, dropped } = camera.uploads;
    totals.uploaded += uploaded;
    totals.refused += refused;
    totals.dropped += dropped;
  }
  return totals;
}
process.on("message", (message: AgentCommand) => {
  if (message.type === "stop") exit();
  if (message.type === "quiet") quiet = true;
  if (message.type === "cpu") {
    send({ type: "cpu", sample: meter.sample(), uploads: uploadTotals() });
    meter.reset();
  }
});

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error("usage: agents.ts <world.json>");
  const world = JSON.parse(readFileSync(file, "utf8")) as AgentsFile;

  const agents: (LockAgent | CameraAgent)[] = [];
  let next = 0;
  let started = 0;
  const progress = setInterval(() => send({ type: "progress", started, total: world.devices.length }), 500);
  const worker = async () => {
    for (let i = next++; i < world.devices.length; i = next++) {
      const identity = world.devices[i] as DeviceIdentity;
      const options = { identity, brokerUrl: world.brokerUrl, log, reconnectPeriodMs: 1_000 };
      const agent =
        identity.kind === "lock"
          ? new LockAgent(options)
          : new CameraAgent({
              ...options,
              // Marker bytes, not H.264: the default 1 KiB keeps the visit figures about visits
              // (bench/video.ts measures video ingest with real segments).
              video: new SyntheticVideoSource({ deviceId: identity.deviceId }),
              upload: { serverUrl: world.serverUrl, log },
            });
      await agent.start();
      agents.push(agent);
      if (agent instanceof CameraAgent) cameras.push(agent);
      started++;
    }
  };
  await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, worker));
  clearInterval(progress);

  const echo = world.baseline;
  const client = connectMqtt(world.brokerUrl, {
    clientId: echo.deviceId,
    username: echo.mqtt.username,
    password: echo.mqtt.password,
    clean: true,
    reconnectPeriod: 0,
  });
  await waitForConnect(client);
  const ackTopic = deviceTopic(echo.deviceId, "ack");
  client.on("message", () => {
    client.publish(ackTopic, ECHO_ACK, { qos: 1 });
  });
  await client.subscribeAsync(deviceTopic(echo.deviceId, "cmd"), { qos: 1 });

  meter.reset();
  send({ type: "ready", started, errors });
}

main().catch((error: unknown) => {
  send({ type: "error", message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  setTimeout(() => process.exit(1), 100);
});

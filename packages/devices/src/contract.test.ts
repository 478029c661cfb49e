import type { KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { ManualClock, newId } from "@threshold/core";
import {
  type AckMessage,
  connectMqtt,
  deviceTopic,
  type EventMessage,
  EXAMPLE_IDENTITIES,
  exportPrivateKeyPem,
  getProtocolExample,
  loadProtocolExamples,
  loadProtocolTestKeys,
  PROTOCOL_DOCS_DIR,
  type StateMessage,
  verifyMessage,
  waitForConnect,
} from "@threshold/protocol";
import type { MqttClient } from "mqtt";
import { Compile } from "typebox/compile";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CameraAgent } from "./camera-agent.js";
import { GarageOpenerAgent } from "./garage-opener-agent.js";
import type { AgentKind, DeviceIdentity } from "./identity.js";
import { LockAgent } from "./lock-agent.js";
import { LockerControllerAgent } from "./locker-controller-agent.js";
import { startBroker, type TestBroker } from "./test-support/broker.js";
import { VehicleAgent } from "./vehicle-agent.js";

/**
 * DESIGN.md section 6: the agents run contract tests against the published protocol examples.
 * Each agent is the example device (its id and published test key), trusts the example server
 * key, and lives at the moment the example command was issued. It is handed the example command
 * byte for byte; what it sends back must tell the examples' story, match the committed JSON
 * Schemas and carry the example device's signature.
 */

const keys = loadProtocolTestKeys();
const examples = loadProtocolExamples();

type Channel = "ack" | "evt" | "state";
const SCHEMA_OF_CHANNEL = { ack: "ack", evt: "event", state: "state" } as const;
const schemas = Object.fromEntries(
  Object.values(SCHEMA_OF_CHANNEL).map((kind) => [
    kind,
    Compile(JSON.parse(readFileSync(path.join(PROTOCOL_DOCS_DIR, "schemas", `${kind}.schema.json`), "utf8"))),
  ]),
);

/** A message without the members that differ from run to run (time, ids, sequence, signature). */
function story<T extends { sig: string; at: number }>(message: T): Omit<T, "sig" | "at" | "id" | "seq"> {
  const { sig: _sig, at: _at, ...rest } = message;
  const { id: _id, seq: _seq, ...story } = rest as typeof rest & { id?: unknown; seq?: unknown };
  return story as Omit<T, "sig" | "at" | "id" | "seq">;
}

function exampleIdentity(kind: AgentKind, deviceId: string, brokerUrl: string): DeviceIdentity {
  const key = keys.devices.get(deviceId);
  if (!key) throw new Error(`no published test key for ${deviceId}`);
  return {
    deviceId,
    kind,
    name: `example-${kind}`,
    privateKeyPem: exportPrivateKeyPem(key.pair.privateKey),
    publicKey: key.publicKey,
    mqtt: { url: brokerUrl, username: deviceId, password: "contract-test" },
    serverKeys: [{ kid: keys.server.kid, publicKey: keys.server.publicKey }],
    trustedKid: keys.server.kid,
  };
}

/** Plays the server over the broker: sends raw command bytes and keeps every raw message the device publishes. */
class Wire {
  readonly received: { channel: Channel; payload: string }[] = [];

  private constructor(
    private readonly client: MqttClient,
    private readonly deviceId: string,
  ) {}

  static async connect(brokerUrl: string, deviceId: string): Promise<Wire> {
    const client = connectMqtt(brokerUrl, { clientId: `contract-wire-${newId("request")}`, reconnectPeriod: 0 });
    await waitForConnect(client);
    const wire = new Wire(client, deviceId);
    const channels: Channel[] = ["ack", "evt", "state"];
    client.on("message", (topic, payload) => {
      const channel = channels.find((candidate) => topic === deviceTopic(deviceId, candidate));
      if (channel) wire.received.push({ channel, payload: payload.toString() });
    });
    await client.subscribeAsync(
      channels.map((channel) => deviceTopic(deviceId, channel)),
      { qos: 1 },
    );
    return wire;
  }

  async send(payload: string): Promise<void> {
    await this.client.publishAsync(deviceTopic(this.deviceId, "cmd"), payload, { qos: 1 });
  }

  messages<T>(channel: Channel): T[] {
    return this.received.filter((m) => m.channel === channel).map((m) => JSON.parse(m.payload) as T);
  }

  async waitFor<T>(channel: Channel, matches: (message: T) => boolean, what: string, from = 0): Promise<T> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const found = this.messages<T>(channel).slice(from).find(matches);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): Promise<void> {
    return this.client.endAsync(true);
  }
}

/** Every message must match the committed JSON Schema of its channel and verify with the device's published key. */
function expectConforming(channel: Channel, payload: string | Buffer, deviceKey: KeyObject): void {
  const json: unknown = JSON.parse(payload.toString());
  const schema = schemas[SCHEMA_OF_CHANNEL[channel]];
  if (!schema) throw new Error(`no schema for ${channel}`);
  expect([...schema.Errors(json)], `${channel}: ${payload.toString()}`).toEqual([]);
  expect(schema.Check(json)).toBe(true);
  expect(verifyMessage(json as { sig: string }, deviceKey), `${channel} signature: ${payload.toString()}`).toBe(true);
}

let broker: TestBroker;
/** The last will of every client, as it came in CONNECT. */
const wills = new Map<string, Buffer>();

beforeAll(async () => {
  broker = await startBroker({
    preConnect: (_client, packet, done) => {
      if (packet.will) wills.set(packet.clientId, Buffer.from(packet.will.payload));
      done(null, true);
    },
  });
});
afterAll(() => broker.close());

const CASES = [
  {
    kind: "lock" as const,
    deviceId: EXAMPLE_IDENTITIES.lockDeviceId,
    command: "command.unlock",
    // The examples' lock: battery 87, auto-relock after 30 s, firmware 1.4.2.
    start: (identity: DeviceIdentity, clock: ManualClock, log: (line: string) => void) =>
      new LockAgent({ identity, clock, log, battery: 87, autoRelockS: 30, firmware: "1.4.2", heartbeatMs: 60_000 }),
  },
  {
    kind: "camera" as const,
    deviceId: EXAMPLE_IDENTITIES.cameraDeviceId,
    command: "command.record_start",
    start: (identity: DeviceIdentity, clock: ManualClock, log: (line: string) => void) =>
      new CameraAgent({ identity, clock, log, firmware: "2.0.1", heartbeatMs: 60_000 }),
  },
  {
    kind: "garage_opener" as const,
    deviceId: EXAMPLE_IDENTITIES.garageDeviceId,
    command: "command.open",
    // The examples' opener: auto-close after 10 minutes, firmware 3.2.0; its door travels in 8 ms here.
    start: (identity: DeviceIdentity, clock: ManualClock, log: (line: string) => void) =>
      new GarageOpenerAgent({
        identity,
        clock,
        log,
        autoCloseS: 600,
        travelS: 8,
        msPerSecond: 1,
        firmware: "3.2.0",
        heartbeatMs: 60_000,
      }),
  },
  {
    kind: "locker_controller" as const,
    deviceId: EXAMPLE_IDENTITIES.lockerDeviceId,
    command: "command.compartment_open",
    start: (identity: DeviceIdentity, clock: ManualClock, log: (line: string) => void) =>
      new LockerControllerAgent({ identity, clock, log, compartments: 8, firmware: "0.9.0", heartbeatMs: 60_000 }),
  },
  {
    kind: "vehicle" as const,
    deviceId: EXAMPLE_IDENTITIES.vehicleDeviceId,
    command: "command.unlock_trunk",
    // The examples' car, parked where state.vehicle places it.
    start: (identity: DeviceIdentity, clock: ManualClock, log: (line: string) => void) =>
      new VehicleAgent({
        identity,
        clock,
        log,
        position: { lat: 52.37312, lng: 4.89245, accuracyM: 5 },
        firmware: "bridge-1.0.0",
        heartbeatMs: 60_000,
      }),
  },
];

/** The event each example command causes, once. */
const ACTED: Record<AgentKind, string> = {
  locker_controller: "compartment.opened",
  lock: "lock.unlocked",
  camera: "camera.recording_started",
  garage_opener: "garage.opened",
  vehicle: "trunk.unlocked",
};

describe.each(CASES)("the $kind agent against the protocol examples", ({ kind, deviceId, command: name, start }) => {
  const command = getProtocolExample(examples, "command", name);
  const deviceKey = keys.devices.get(deviceId)?.pair.publicKey;
  let wire: Wire;
  let agent: LockAgent | CameraAgent | GarageOpenerAgent | LockerControllerAgent | VehicleAgent;
  const logs: string[] = [];
  let firstAck: AckMessage;

  beforeAll(async () => {
    wire = await Wire.connect(broker.url, deviceId);
    // The agent boots at the moment the example command was issued: not before it, or it would
    // refuse the command as possibly executed by an earlier run.
    agent = start(exampleIdentity(kind, deviceId, broker.url), new ManualClock(command.message.issuedAt), (line) =>
      logs.push(line),
    );
    await agent.start();
    await wire.waitFor<StateMessage>("state", (state) => state.online, "the first state");
    await wire.send(command.payload);
    firstAck = await wire.waitFor<AckMessage>("ack", (ack) => ack.commandId === command.message.id, "the ack");
  });
  afterAll(async () => {
    await agent?.stop();
    await wire?.close();
  });

  it("is the example device, with a published key", () => {
    expect(command.message.deviceId).toBe(deviceId);
    expect(deviceKey).toBeDefined();
    expect(agent.deviceId).toBe(deviceId);
  });

  it(`carries out the example ${name.slice("command.".length)} and acks it succeeded`, async () => {
    expect(firstAck).toMatchObject({ deviceId, commandId: command.message.id, status: "succeeded" });
    expect(firstAck.reason).toBeUndefined();
    expect(logs).toEqual([]);
    if (kind === "lock") {
      expect(story(firstAck)).toEqual(story(getProtocolExample(examples, "ack", "ack.succeeded").message));
      const unlocked = getProtocolExample(examples, "event", "event.lock.unlocked").message;
      const event = await wire.waitFor<EventMessage>("evt", (e) => e.type === "lock.unlocked", "lock.unlocked");
      expect(story(event)).toEqual(story(unlocked));
      // Before the command it reported what state.lock shows.
      const [first] = wire.messages<StateMessage>("state");
      expect(first && story(first)).toEqual(story(getProtocolExample(examples, "state", "state.lock").message));
      expect(agent.state).toMatchObject({ lock: "unlocked" });
    } else if (kind === "garage_opener") {
      expect(story(firstAck)).toEqual(story(getProtocolExample(examples, "ack", "ack.garage-opened").message));
      const opened = getProtocolExample(examples, "event", "event.garage.opened").message;
      const event = await wire.waitFor<EventMessage>("evt", (e) => e.type === "garage.opened", "garage.opened");
      expect(story(event)).toEqual(story(opened));
      const [first] = wire.messages<StateMessage>("state");
      expect(first && story(first)).toEqual(
        story(getProtocolExample(examples, "state", "state.garage_opener").message),
      );
      expect(agent.state).toMatchObject({ door: "open" });
    } else if (kind === "locker_controller") {
      const opened = getProtocolExample(examples, "event", "event.compartment.opened").message;
      const event = await wire.waitFor<EventMessage>(
        "evt",
        (e) => e.type === "compartment.opened",
        "compartment.opened",
      );
      expect(story(event)).toEqual(story(opened));
      expect(agent.state).toMatchObject({
        compartments: expect.arrayContaining([expect.objectContaining({ n: 7, door: "open" })]),
      });
    } else if (kind === "vehicle") {
      expect(story(firstAck)).toEqual(story(getProtocolExample(examples, "ack", "ack.trunk-unlocked").message));
      const [first] = wire.messages<StateMessage>("state");
      expect(first && story(first)).toEqual(story(getProtocolExample(examples, "state", "state.vehicle").message));
      expect(agent.state).toMatchObject({ locks: "trunk_unlocked" });
    } else {
      const started = getProtocolExample(examples, "event", "event.camera.recording_started").message;
      const event = await wire.waitFor<EventMessage>("evt", (e) => e.type === started.type, started.type);
      expect(story(event)).toEqual(story(started));
      const reported = getProtocolExample(examples, "state", "state.camera").message;
      const state = await wire.waitFor<StateMessage>(
        "state",
        (s) => "recording" in s.state && s.state.recording,
        "a recording state",
      );
      expect(story(state)).toEqual(story(reported));
      expect(firstAck.state).toEqual(reported.state);
    }
  });

  it("refuses the example command the second time as replayed", async () => {
    const acks = wire.messages<AckMessage>("ack").length;
    await wire.send(command.payload);
    const replay = await wire.waitFor<AckMessage>(
      "ack",
      (ack) => ack.commandId === command.message.id,
      "the replay ack",
      acks,
    );
    expect(replay).toMatchObject({ deviceId, commandId: command.message.id, status: "rejected", reason: "replayed" });
    if (kind === "lock") {
      expect(story(replay)).toEqual(story(getProtocolExample(examples, "ack", "ack.rejected-replayed").message));
    }
    const refusal = await wire.waitFor<EventMessage>("evt", (e) => e.type === "command.rejected", "command.rejected");
    expect(refusal.data).toEqual({ reason: "replayed", commandId: command.message.id });
    // Acted on once only.
    const acted = ACTED[kind];
    expect(wire.messages<EventMessage>("evt").filter((e) => e.type === acted)).toHaveLength(1);
  });

  it("signs every message it sends, last will and goodbye included, and each matches its committed schema", async () => {
    if (!deviceKey) throw new Error(`no published key for ${deviceId}`);
    await agent.stop();
    await wire.waitFor<StateMessage>("state", (state) => !state.online, "the goodbye state");
    const channels = new Set(wire.received.map((m) => m.channel));
    expect([...channels].sort()).toEqual(["ack", "evt", "state"]);
    for (const { channel, payload } of wire.received) expectConforming(channel, payload, deviceKey);

    const will = wills.get(deviceId);
    expect(will, "the agent connected without a last will").toBeDefined();
    if (!will) return;
    expectConforming("state", will, deviceKey);
    const lastWill = JSON.parse(will.toString()) as StateMessage;
    expect(lastWill.online).toBe(false);
    if (kind === "lock") {
      // Its will is state.last-will as of boot, when the lock was locked.
      expect(story(lastWill)).toEqual(story(getProtocolExample(examples, "state", "state.last-will").message));
    }
    // The check has teeth: the same message with one member changed fails its signature.
    const [ack] = wire.messages<AckMessage>("ack");
    if (!ack) throw new Error("no ack");
    const moved: AckMessage = { ...ack, at: ack.at + 1 };
    expect(verifyMessage(moved, deviceKey)).toBe(false);
  });
});

import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Clock } from "@threshold/core";
import { DEFAULT_FIRMWARE } from "./agent.js";
import { CameraAgent } from "./camera-agent.js";
import { DEVICE_SOCKET_NAME } from "./fleet-control/device-request.js";
import { startDeviceSocket } from "./fleet-control/device-socket.js";
import type { FleetDevice } from "./fleet-file.js";
import type { FleetVideo } from "./fleet-video.js";
import { GarageOpenerAgent } from "./garage-opener-agent.js";
import { type DeviceIdentity, loadIdentity, saveIdentity } from "./identity.js";
import { KEYPAD_SOCKET_NAME, startKeypadSocket } from "./keypad/keypad-socket.js";
import { LockAgent } from "./lock-agent.js";
import { LockerControllerAgent } from "./locker-controller-agent.js";
import { pairDevice } from "./pairing-client.js";
import { CAR_SOCKET_NAME, startCarSocket } from "./vehicle/car-socket.js";
import { VehicleAgent } from "./vehicle-agent.js";
import { FfmpegVideoSource } from "./video/ffmpeg-video-source.js";
import { SyntheticVideoSource } from "./video/synthetic-video-source.js";
import { NoVideoSource, type VideoSource } from "./video-source.js";

export { FLEET_VIDEO, type FleetVideo } from "./fleet-video.js";

export interface RunFleetOptions {
  serverUrl: string;
  /** Where each device keeps its identity, as `{name}.json`. */
  stateDir: string;
  devices: FleetDevice[];
  /** Overrides the broker URL the server handed out at pairing. */
  brokerUrl?: string;
  /** Enters a pairing code on the owner's behalf (the demo claims its own devices); without it the code is logged. */
  claim?: (code: string, device: FleetDevice) => Promise<void>;
  log: (line: string) => void;
  clock?: Clock;
  /** Aborts pairing that is still waiting for a code to be entered. */
  signal?: AbortSignal;
  /** The fetch pairing uses (the CLI's names the server's URL when it cannot be reached). */
  fetch?: typeof fetch;
  /** Forwarded to every lock and garage opener; see LockAgentOptions.msPerSecond. */
  msPerSecond?: number;
  /**
   * What cameras film, uploaded to serverUrl: `ffmpeg` (default) real H.264 with the camera's name
   * and a clock, `synthetic` chained marker bytes (no encoder; for load tests), `none` nothing —
   * such a camera is never live, so no door it witnesses opens.
   */
  video?: FleetVideo;
}

export type FleetAgent = LockAgent | CameraAgent | GarageOpenerAgent | LockerControllerAgent | VehicleAgent;

export interface RunningFleet {
  agents: Map<string, FleetAgent>;
  stop(): Promise<void>;
}

/**
 * Runs simulated devices against a Threshold server: each device pairs once (its identity is
 * kept in stateDir) and from then on reconnects as itself. Pairing runs one device at a time so
 * codes are shown, and entered, in order.
 */
export async function runFleet(options: RunFleetOptions): Promise<RunningFleet> {
  const { stateDir, log } = options;
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const agents = new Map<string, FleetAgent>();
  for (const device of options.devices) {
    const path = join(stateDir, `${device.name}.json`);
    const identity = (await loadExistingIdentity(path, device)) ?? (await pairAndSave(path, device, options));
    agents.set(device.name, createAgent(identity, device, path, options));
  }

  const started = await Promise.allSettled([...agents.values()].map((agent) => agent.start()));
  const failure = started.find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (failure) {
    await Promise.allSettled([...agents.values()].map((agent) => agent.stop()));
    throw failure.reason;
  }
  for (const [name, agent] of agents) log(`${name} (${agent.identity.kind}): online as ${agent.deviceId}`);

  // `threshold keypad type` reaches the locks' keypads through this socket; without it, the fleet still runs.
  const locks = new Map([...agents].filter((entry): entry is [string, LockAgent] => entry[1] instanceof LockAgent));
  const keypads = await startKeypadSocket(join(stateDir, KEYPAD_SOCKET_NAME), () => locks).catch((error: unknown) => {
    log(`keypad socket not started (${error instanceof Error ? error.message : String(error)}); typing codes is off`);
    return undefined;
  });

  // `threshold car` drives, parks and opens the simulated cars through this socket.
  const vehicles = new Map(
    [...agents].filter((entry): entry is [string, VehicleAgent] => entry[1] instanceof VehicleAgent),
  );
  const carControls =
    vehicles.size === 0
      ? undefined
      : await startCarSocket(join(stateDir, CAR_SOCKET_NAME), () => vehicles).catch((error: unknown) => {
          log(
            `car socket not started (${error instanceof Error ? error.message : String(error)}); car controls are off`,
          );
          return undefined;
        });

  // `threshold device` and `threshold locker` drive every device of the fleet through this one.
  const deviceControls = await startDeviceSocket(join(stateDir, DEVICE_SOCKET_NAME), () => agents).catch(
    (error: unknown) => {
      log(
        `control socket not started (${error instanceof Error ? error.message : String(error)}); \`threshold device\` is off`,
      );
      return undefined;
    },
  );

  return {
    agents,
    async stop() {
      await deviceControls?.close();
      await carControls?.close();
      await keypads?.close();
      await Promise.allSettled([...agents.values()].map((agent) => agent.stop()));
    },
  };
}

/** The saved identity, or undefined when this device has never paired. A damaged file is an error, not a re-pair. */
async function loadExistingIdentity(path: string, device: FleetDevice): Promise<DeviceIdentity | undefined> {
  let identity: DeviceIdentity;
  try {
    identity = await loadIdentity(path);
  } catch (error) {
    if (isFileMissing(error)) return undefined;
    throw new Error(`${error instanceof Error ? error.message : String(error)}; fix it or delete it to pair again`);
  }
  if (identity.kind !== device.kind) {
    throw new Error(
      `${path} holds a ${identity.kind} but ${device.name} is declared a ${device.kind}; delete the file to pair again`,
    );
  }
  return identity;
}

async function pairAndSave(path: string, device: FleetDevice, options: RunFleetOptions): Promise<DeviceIdentity> {
  const { claim, log } = options;
  // A failed claim must end the wait for a code nobody will enter.
  const claimFailed = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, claimFailed.signal]) : claimFailed.signal;
  const identity = await pairDevice({
    serverUrl: options.serverUrl,
    kind: device.kind,
    name: device.name,
    model: `threshold-sim-${device.kind}`,
    firmware: DEFAULT_FIRMWARE,
    signal,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    onCode: (code) => {
      if (!claim) {
        log(`${device.name} (${device.kind}): pairing code ${code} — enter it in Threshold to pair`);
        return;
      }
      claim(code, device).catch((error: unknown) => claimFailed.abort(error));
    },
  });
  await saveIdentity(path, identity);
  log(`${device.name} (${device.kind}): paired as ${identity.deviceId}`);
  return identity;
}

function createAgent(
  identity: DeviceIdentity,
  device: FleetDevice,
  path: string,
  options: RunFleetOptions,
): FleetAgent {
  const common = {
    identity,
    log: options.log,
    // A rotated key must survive a restart, or the device would refuse every later command.
    onIdentityChange: (next: DeviceIdentity) => saveIdentity(path, next),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.brokerUrl ? { brokerUrl: options.brokerUrl } : {}),
    ...(device.heartbeatMs ? { heartbeatMs: device.heartbeatMs } : {}),
  };
  if (device.kind === "camera") {
    return new CameraAgent({
      ...common,
      video: cameraVideo(identity, options),
      upload: { serverUrl: options.serverUrl, log: options.log },
    });
  }
  const speed = options.msPerSecond ? { msPerSecond: options.msPerSecond } : {};
  if (device.kind === "garage_opener") {
    return new GarageOpenerAgent({
      ...common,
      ...speed,
      ...(device.travelS !== undefined ? { travelS: device.travelS } : {}),
      ...(device.autoCloseS !== undefined ? { autoCloseS: device.autoCloseS } : {}),
    });
  }
  if (device.kind === "locker_controller") {
    return new LockerControllerAgent({
      ...common,
      ...speed,
      compartments: device.compartments ?? 12,
      // Deposit counters, used pickup codes and the offline log survive a restart of the simulator.
      dataDir: join(options.stateDir, "lockers"),
    });
  }
  if (device.kind === "vehicle") {
    return new VehicleAgent({ ...common, position: device.position ?? DEFAULT_CAR_POSITION });
  }
  return new LockAgent({
    ...common,
    ...speed,
    // Used codes, the wrong-code count and a lockout survive a restart of the simulator.
    dataDir: join(options.stateDir, "keypads"),
    ...(device.autoRelockS !== undefined ? { autoRelockS: device.autoRelockS } : {}),
    ...(device.temperatureC !== undefined ? { temperatureC: device.temperatureC } : {}),
  });
}

/** Where a simulated car without a position parks: next to the demo home (Amsterdam's Dam square). */
const DEFAULT_CAR_POSITION = { lat: 52.3731, lng: 4.8926 };

function cameraVideo(identity: DeviceIdentity, options: RunFleetOptions): VideoSource {
  const { deviceId, name } = identity;
  switch (options.video ?? "ffmpeg") {
    case "ffmpeg":
      return new FfmpegVideoSource({ deviceId, cameraName: name, log: options.log });
    case "synthetic": {
      const clock = options.clock;
      return new SyntheticVideoSource({ deviceId, ...(clock ? { now: () => clock.now() } : {}) });
    }
    case "none":
      return new NoVideoSource();
  }
}

function isFileMissing(error: unknown): boolean {
  return error instanceof Error && "code" in error && error.code === "ENOENT";
}

import path from "node:path";
import {
  ControlSocketUnreachable,
  controlDevice,
  DEVICE_SOCKET_NAME,
  type DeviceActionAnswer,
  type DeviceAnswer,
  type DeviceRequest,
  type DeviceSummary,
} from "@threshold/devices/control";

/**
 * Where simulators keep their state when no --state-dir is given: `threshold simulate` first, then
 * `threshold demo` (its devices are simulated too, in its data dir).
 */
export function defaultStateDirs(): string[] {
  const dataDir = process.env.DATA_DIR ?? "data";
  return [path.resolve(dataDir, "simulator"), path.resolve(dataDir, "fleet")];
}

export const STATE_DIR_HELP =
  "the simulator's state directory (data/simulator for `threshold simulate`, data/fleet for `threshold demo`); default: both, the running one";

/** The devices of every simulator running in `stateDirs`. */
export async function listDevices(stateDirs: string[]): Promise<{ stateDir: string; devices: DeviceSummary[] }[]> {
  const running: { stateDir: string; devices: DeviceSummary[] }[] = [];
  for (const stateDir of stateDirs) {
    const answer = await ask(stateDir, { action: "list" });
    if (!answer) continue;
    if (!answer.ok) throw new Error(answer.error);
    if ("devices" in answer) running.push({ stateDir, devices: answer.devices });
  }
  if (running.length === 0) throw noSimulator(stateDirs);
  return running;
}

/**
 * Sends `request` to the simulator in `stateDirs` that has the device: each running one in turn,
 * until one knows it (asking one that does not changes nothing). A refusal is thrown as its message.
 */
export async function driveDevice(stateDirs: string[], request: DeviceRequest): Promise<DeviceActionAnswer> {
  const unknown: string[] = [];
  for (const stateDir of stateDirs) {
    const answer = await ask(stateDir, request);
    if (!answer) continue;
    if (!answer.ok && answer.code === "unknown_device") {
      unknown.push(`${stateDir}: ${answer.error}`);
      continue;
    }
    if (!answer.ok) throw new Error(answer.error);
    if ("device" in answer) return answer;
    throw new Error("the simulator answered a list to a device's action");
  }
  if (unknown.length === 0) throw noSimulator(stateDirs);
  throw new Error(unknown.length === 1 ? (unknown[0] as string) : unknown.join("\n"));
}

/** The simulator's answer, or undefined when none runs in `stateDir`. */
async function ask(stateDir: string, request: DeviceRequest): Promise<DeviceAnswer | undefined> {
  try {
    return await controlDevice(path.join(stateDir, DEVICE_SOCKET_NAME), request);
  } catch (error) {
    if (error instanceof ControlSocketUnreachable) return undefined;
    throw error;
  }
}

function noSimulator(stateDirs: string[]): Error {
  return new Error(
    `no simulator is running in ${stateDirs.join(" or ")}: start \`threshold simulate\` (or \`threshold demo\`), or pass --state-dir`,
  );
}

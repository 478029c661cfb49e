import { startControlSocket } from "../control-socket.js";
import type { FleetAgent } from "../fleet.js";
import { actOnDevice, refuse, summarize } from "./device-actions.js";
import { DEVICE_ACTIONS, type DeviceAnswer, type DeviceRequest } from "./device-request.js";

/**
 * Stands in for the physical world around every device of a running fleet: a Unix socket (mode
 * 0600, so only the user running the fleet can use it) that takes one JSON line, a DeviceRequest
 * — a door opens, a box breaks a garage's beam, a fridge warms up, a parcel goes into a locker —
 * and answers with what the device then reports. `threshold device` and `threshold locker` speak it.
 */
export async function startDeviceSocket(
  path: string,
  agents: () => ReadonlyMap<string, FleetAgent>,
): Promise<{ close(): Promise<void> }> {
  return startControlSocket(path, (line) => answer(line, agents()));
}

async function answer(line: string, agents: ReadonlyMap<string, FleetAgent>): Promise<DeviceAnswer> {
  const request = parseRequest(line);
  if ("ok" in request) return request;
  if (request.action === "list") {
    return { ok: true, devices: [...agents].map(([name, agent]) => summarize(name, agent)) };
  }
  const found = findDevice(agents, request.device);
  if (!found) {
    const names = [...agents.keys()].join(", ") || "(none running)";
    return refuse(
      "unknown_device",
      request.device === undefined
        ? `name a device: ${names}`
        : `no device ${request.device} in this simulator; its devices are: ${names}`,
    );
  }
  return actOnDevice(found[0], found[1], request);
}

function parseRequest(line: string): DeviceRequest | Extract<DeviceAnswer, { ok: false }> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return refuse("malformed_request", "the request is not JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return refuse("malformed_request", 'the request must be a JSON object like {"action":"status","device":"lock-1"}');
  }
  const request = value as Record<string, unknown>;
  if (!(DEVICE_ACTIONS as readonly unknown[]).includes(request.action)) {
    return refuse("unknown_action", `action must be one of ${DEVICE_ACTIONS.join(", ")}`);
  }
  if (request.device !== undefined && typeof request.device !== "string") {
    return refuse("malformed_request", "device must be a device's name or id");
  }
  return request as unknown as DeviceRequest;
}

/** By the name it has in the fleet, or by its device id. */
function findDevice(
  agents: ReadonlyMap<string, FleetAgent>,
  device: string | undefined,
): [string, FleetAgent] | undefined {
  if (device === undefined) return undefined;
  const byName = agents.get(device);
  if (byName) return [device, byName];
  return [...agents].find(([, agent]) => agent.deviceId === device);
}

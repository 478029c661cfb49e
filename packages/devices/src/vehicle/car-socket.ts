import type { VehicleState } from "@threshold/protocol";
import { requestControl, startControlSocket } from "../control-socket.js";
import type { VehicleAgent } from "../vehicle-agent.js";

/** The socket a running fleet listens on, in its state directory, so `threshold car` can move its simulated cars. */
export const CAR_SOCKET_NAME = "car.sock";

export const CAR_ACTIONS = [
  "status",
  "drive",
  "park",
  "move",
  "open-trunk",
  "close-trunk",
  "open-door",
  "close-door",
] as const;
export type CarAction = (typeof CAR_ACTIONS)[number];

export interface CarRequest {
  device?: string;
  action: CarAction;
  lat?: number;
  lng?: number;
}

export type CarAnswer = { ok: true; device: string; state: VehicleState; note?: string } | { ok: false; error: string };

/**
 * Stands in for the physical world around a running fleet's simulated cars: a Unix socket (mode
 * 0600) that takes one JSON line, `{"device", "action", "lat", "lng"}` — someone drives off, parks,
 * the car is moved, a courier lifts or shuts the trunk — and answers with the car's report.
 */
export async function startCarSocket(
  path: string,
  cars: () => ReadonlyMap<string, VehicleAgent>,
): Promise<{ close(): Promise<void> }> {
  return startControlSocket(path, (line) => answer(line, cars()));
}

function answer(line: string, cars: ReadonlyMap<string, VehicleAgent>): CarAnswer {
  let request: CarRequest;
  try {
    request = JSON.parse(line) as CarRequest;
  } catch {
    return { ok: false, error: "the request is not JSON" };
  }
  if (!(CAR_ACTIONS as readonly string[]).includes(request.action)) {
    return { ok: false, error: `action must be one of ${CAR_ACTIONS.join(", ")}` };
  }
  const names = [...cars.keys()];
  const name = request.device ?? (names.length === 1 ? names[0] : undefined);
  const agent = name === undefined ? undefined : cars.get(name);
  if (!agent?.simulated || name === undefined) {
    return { ok: false, error: `name one of the cars with --device: ${names.join(", ") || "(none running)"}` };
  }
  const done = actOnCar(agent, request);
  if (!done.ok) return done;
  return { ok: true, device: name, state: agent.state, ...(done.note ? { note: done.note } : {}) };
}

/**
 * Does to a simulated car what `request.action` says the physical world does to it; a note says
 * when the car would not have it (a locked trunk stays shut). Shared by this socket and the
 * fleet's control socket (`threshold device`).
 */
export function actOnCar(
  agent: VehicleAgent,
  request: Pick<CarRequest, "action" | "lat" | "lng">,
): { ok: true; note?: string } | { ok: false; error: string } {
  const car = agent.simulated;
  if (!car) return { ok: false, error: `${agent.identity.name} is not a simulated car` };
  let note: string | undefined;
  switch (request.action) {
    case "status":
      break;
    case "drive":
      car.drive();
      break;
    case "park":
      car.park();
      break;
    case "move": {
      const { lat, lng } = request;
      if (typeof lat !== "number" || typeof lng !== "number" || Math.abs(lat) > 90 || Math.abs(lng) > 180) {
        return { ok: false, error: "move needs --lat (-90..90) and --lng (-180..180)" };
      }
      car.moveTo(lat, lng);
      break;
    }
    case "open-trunk":
      if (!car.openTrunk()) note = "the trunk is locked (or the car is driving): it stays shut";
      break;
    case "close-trunk":
      car.closeTrunk();
      break;
    case "open-door":
      car.openDoor();
      break;
    case "close-door":
      car.closeDoor();
      break;
  }
  return note ? { ok: true, note } : { ok: true };
}

/** Sends one request to the cars of the fleet listening at `path`. */
export function controlCar(path: string, request: CarRequest): Promise<CarAnswer> {
  return requestControl<CarAnswer>(path, request, "cars");
}

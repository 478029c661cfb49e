import { CameraAgent } from "../camera-agent.js";
import type { FleetAgent } from "../fleet.js";
import { GarageOpenerAgent } from "../garage-opener-agent.js";
import { LockAgent } from "../lock-agent.js";
import { LockerControllerAgent } from "../locker-controller-agent.js";
import { actOnCar } from "../vehicle/car-socket.js";
import { VehicleAgent } from "../vehicle-agent.js";
import type { DeviceAction, DeviceActionAnswer, DeviceAnswer, DeviceRequest, DeviceSummary } from "./device-request.js";

type Refusal = Extract<DeviceAnswer, { ok: false }>;
type Done = { note?: string; verdict?: DeviceActionAnswer["verdict"] } | Refusal;

/** What each kind of simulated device lets the physical world do to it (besides `status`). */
const ACTIONS_OF = {
  lock: ["open-door", "close-door", "jam", "clear-jam", "battery", "temperature", "type"],
  garage_opener: ["break-beam", "clear-beam"],
  camera: ["freeze", "thaw"],
  locker_controller: ["put", "take", "close", "jam", "clear-jam", "type"],
  vehicle: ["open-door", "close-door", "drive", "park", "move", "open-trunk", "close-trunk"],
} as const satisfies Record<FleetAgent["identity"]["kind"], readonly DeviceAction[]>;

export function summarize(name: string, agent: FleetAgent): DeviceSummary {
  return {
    name,
    deviceId: agent.deviceId,
    kind: agent.identity.kind,
    online: agent.connected,
    state: agent.state,
    ...(agent instanceof CameraAgent ? { frozen: agent.frozen } : {}),
  };
}

/**
 * Does `request.action` to one device, as the physical world would, and answers with what the
 * device reports afterwards. Every argument is checked before anything is touched, so a refused
 * request changes nothing.
 */
export async function actOnDevice(name: string, agent: FleetAgent, request: DeviceRequest): Promise<DeviceAnswer> {
  const kind = agent.identity.kind;
  const allowed: readonly DeviceAction[] = ACTIONS_OF[kind];
  if (request.action !== "status" && !allowed.includes(request.action)) {
    return refuse(
      "wrong_kind",
      `${name} is a ${kind.replace("_", " ")}: it cannot ${request.action}. A ${kind.replace("_", " ")} can: status, ${allowed.join(", ")}`,
    );
  }
  const done = await act(name, agent, request);
  if ("ok" in done) return done;
  return { ok: true, device: summarize(name, agent), ...done };
}

async function act(name: string, agent: FleetAgent, request: DeviceRequest): Promise<Done> {
  if (request.action === "status") return {};
  if (agent instanceof LockAgent) return actOnLock(name, agent, request);
  if (agent instanceof LockerControllerAgent) return actOnLockers(agent, request);
  if (agent instanceof GarageOpenerAgent) {
    if (request.action === "break-beam") agent.obstruct();
    else agent.clearObstruction();
    return {};
  }
  if (agent instanceof CameraAgent) {
    if (request.action === "thaw") {
      agent.unfreeze();
      return {};
    }
    agent.freeze();
    return agent.frozen
      ? {}
      : refuse("not_possible", `${name} films nothing (started with --video none): there is no picture to freeze`);
  }
  if (agent instanceof VehicleAgent) {
    const done = actOnCar(agent, { ...request, action: request.action as Parameters<typeof actOnCar>[1]["action"] });
    if (!done.ok) return refuse("invalid_argument", done.error);
    return done.note ? { note: done.note } : {};
  }
  return refuse("wrong_kind", `${name} cannot be driven from here`);
}

async function actOnLock(name: string, lock: LockAgent, request: DeviceRequest): Promise<Done> {
  switch (request.action) {
    case "open-door":
      lock.openDoor();
      return lock.state.lock === "unlocked" ? {} : { note: "the bolt was not drawn back: the lock reports it forced" };
    case "close-door":
      lock.closeDoor();
      return {};
    case "jam":
      lock.jam();
      return {};
    case "clear-jam":
      lock.clearJam();
      return {};
    case "battery": {
      const { percent } = request;
      if (typeof percent !== "number" || !Number.isInteger(percent) || percent < 0 || percent > 100) {
        return refuse("invalid_argument", "a battery level is a whole number of percent from 0 to 100");
      }
      lock.setBattery(percent);
      return {};
    }
    case "temperature": {
      if (lock.state.temperatureC === undefined) {
        return refuse(
          "wrong_kind",
          `${name} is a lock without a temperature sensor; fridge locks have one (\`threshold simulate --fridges 1\`, or "temperatureC" in the fleet file)`,
        );
      }
      const { celsius } = request;
      if (typeof celsius !== "number" || !(celsius >= -50 && celsius <= 100)) {
        return refuse("invalid_argument", "a temperature is a number of degrees Celsius from -50 to 100");
      }
      lock.setTemperature(celsius);
      return {};
    }
    case "type": {
      const code = digits(request.code);
      if (code === undefined) return refuse("invalid_argument", "a code is 1 to 16 digits");
      return { verdict: await lock.enterCode(code) };
    }
    default:
      return refuse("wrong_kind", `a lock cannot ${request.action}`);
  }
}

async function actOnLockers(bank: LockerControllerAgent, request: DeviceRequest): Promise<Done> {
  if (request.action === "type") {
    const code = digits(request.code);
    if (code === undefined) return refuse("invalid_argument", "a code is 1 to 16 digits");
    return { verdict: await bank.enterCode(code) };
  }
  const count = bank.state.compartments.length;
  const n = request.compartment;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > count) {
    return refuse("invalid_argument", `name a compartment from 1 to ${count}`);
  }
  const door = bank.state.compartments.find((c) => c.n === n)?.door;
  switch (request.action) {
    case "put":
    case "take":
      if (door !== "open") {
        return refuse(
          "not_possible",
          `compartment ${n} is closed: a drop-off or a pickup opens it first (the courier's scan, or a pickup code typed at the kiosk)`,
        );
      }
      if (request.action === "put") bank.putParcel(n);
      else bank.takeParcel(n);
      return {};
    case "close":
      if (door !== "open") return { note: `compartment ${n} was already closed` };
      bank.closeDoor(n);
      return {};
    case "jam":
      bank.jam(n);
      return { note: `compartment ${n}'s latch is stuck: the next command to open it fails as jammed` };
    case "clear-jam":
      bank.clearJam(n);
      return {};
    default:
      return refuse("wrong_kind", `a locker bank cannot ${request.action}`);
  }
}

function digits(code: unknown): string | undefined {
  return typeof code === "string" && /^[0-9]{1,16}$/.test(code) ? code : undefined;
}

export function refuse(code: Refusal["code"], error: string): Refusal {
  return { ok: false, code, error };
}

import { chmod, rm } from "node:fs/promises";
import net from "node:net";
import type { VehicleState } from "@threshold/protocol";
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
  await rm(path, { force: true });
  const server = net.createServer((socket) => {
    let buffer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      if (buffer.length > 4096) socket.destroy();
      const newline = buffer.indexOf("\n");
      if (newline < 0) return;
      socket.end(`${JSON.stringify(answer(buffer.slice(0, newline), cars()))}\n`);
    });
    socket.on("error", () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => resolve());
  });
  await chmod(path, 0o600);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }).then(() => rm(path, { force: true })),
  };
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
  const car = agent?.simulated;
  if (!agent || !car || name === undefined) {
    return { ok: false, error: `name one of the cars with --device: ${names.join(", ") || "(none running)"}` };
  }
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
  return { ok: true, device: name, state: agent.state, ...(note ? { note } : {}) };
}

/** Sends one request to the cars of the fleet listening at `path`. */
export function controlCar(path: string, request: CarRequest): Promise<CarAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(path);
    let reply = "";
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on("data", (chunk: string) => {
      reply += chunk;
    });
    socket.on("end", () => {
      try {
        resolve(JSON.parse(reply) as CarAnswer);
      } catch {
        reject(new Error("the simulator sent no answer"));
      }
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "ENOENT" || error.code === "ECONNREFUSED"
          ? new Error(
              `no simulated cars are listening at ${path}; is \`threshold demo\` or \`threshold simulate\` running?`,
            )
          : error,
      );
    });
  });
}

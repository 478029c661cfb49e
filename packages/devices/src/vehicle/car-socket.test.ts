import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TestBench } from "../test-support/bench.js";
import { startBroker, type TestBroker } from "../test-support/broker.js";
import type { VehicleAgent } from "../vehicle-agent.js";
import { CAR_SOCKET_NAME, controlCar, startCarSocket } from "./car-socket.js";
import { SimulatedCar } from "./simulated-car.js";

let broker: TestBroker;
let bench: TestBench;
let dir: string;

beforeAll(async () => {
  broker = await startBroker();
  bench = new TestBench(broker);
  dir = await mkdtemp(join(tmpdir(), "threshold-car-socket-"));
});
afterEach(() => bench.cleanup());
afterAll(async () => {
  await broker.close();
  await rm(dir, { recursive: true, force: true });
});

async function carOnSocket() {
  const { agent, gateway } = await bench.vehicle({ car: new SimulatedCar({ position: { lat: 52.374, lng: 4.8922 } }) });
  const cars = new Map<string, VehicleAgent>([["family-car", agent]]);
  const path = join(dir, CAR_SOCKET_NAME);
  const socket = await startCarSocket(path, () => cars);
  bench.defer(() => socket.close());
  return { agent, gateway, path };
}

describe("the car socket (threshold car)", () => {
  it("is for the fleet's user only, and moves the car as the physical world would", async () => {
    const { agent, gateway, path } = await carOnSocket();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await controlCar(path, { action: "drive" })).toMatchObject({
      ok: true,
      device: "family-car",
      state: { drive: "driving" },
    });
    await gateway.waitForEvent("vehicle.driving");
    expect(await controlCar(path, { action: "move", lat: 52.38, lng: 4.9 })).toMatchObject({
      state: { position: { lat: 52.38, lng: 4.9 } },
    });
    expect(await controlCar(path, { action: "park", device: "family-car" })).toMatchObject({
      state: { drive: "parked" },
    });
    expect(agent.state).toMatchObject({ drive: "parked", position: { lat: 52.38, lng: 4.9 } });
  });

  it("says when the trunk stays shut, and refuses bad requests with what to do", async () => {
    const { agent, path } = await carOnSocket();
    expect(await controlCar(path, { action: "open-trunk" })).toMatchObject({
      ok: true,
      state: { trunk: "closed" },
      note: expect.stringMatching(/locked/),
    });
    expect(await controlCar(path, { action: "move" })).toEqual({
      ok: false,
      error: "move needs --lat (-90..90) and --lng (-180..180)",
    });
    expect(await controlCar(path, { action: "status", device: "other-car" })).toEqual({
      ok: false,
      error: "name one of the cars with --device: family-car",
    });
    const fly = await controlCar(path, { action: "fly" as "drive" });
    expect(fly).toMatchObject({ ok: false, error: expect.stringMatching(/^action must be one of/) });
    expect(agent.state).toMatchObject({ drive: "parked", trunk: "closed", locks: "locked" });
  });

  it("tells the user to start the simulator when nothing listens", async () => {
    await expect(controlCar(join(dir, "nobody.sock"), { action: "status" })).rejects.toThrow(/threshold demo/);
  });
});

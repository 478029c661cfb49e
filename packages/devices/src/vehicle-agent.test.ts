import type { StateMessage } from "@threshold/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TestBench } from "./test-support/bench.js";
import { startBroker, type TestBroker } from "./test-support/broker.js";
import { SimulatedCar } from "./vehicle/simulated-car.js";

let broker: TestBroker;
let bench: TestBench;

beforeAll(async () => {
  broker = await startBroker();
  bench = new TestBench(broker);
});
afterEach(() => bench.cleanup());
afterAll(() => broker.close());

const PARKED_AT = { lat: 52.3731, lng: 4.8926, accuracyM: 4 };
const locksOf = (state: StateMessage) => ("locks" in state.state ? state.state.locks : undefined);

async function parkedCar() {
  const car = new SimulatedCar({ position: PARKED_AT });
  return { car, ...(await bench.vehicle({ car })) };
}

describe("VehicleAgent", () => {
  it("announces a parked, locked, closed car with its position in a signed, online state", async () => {
    const { gateway } = await parkedCar();
    expect(gateway.states[0]).toMatchObject({
      online: true,
      kind: "vehicle",
      state: { drive: "parked", position: PARKED_AT, locks: "locked", doors: "closed", trunk: "closed" },
    });
    expect(gateway.problems).toEqual([]);
  });

  it("releases the trunk of a parked car on a signed unlock_trunk, doors staying locked, then locks again", async () => {
    const { gateway, car, agent } = await parkedCar();
    const unlocked = await gateway.request("unlock_trunk");
    expect(unlocked).toMatchObject({ status: "succeeded", state: { locks: "trunk_unlocked", trunk: "closed" } });
    expect((await gateway.waitForEvent("trunk.unlocked")).data).toEqual({
      by: "command",
      commandId: unlocked.commandId,
    });
    expect(car.openTrunk()).toBe(true);
    await gateway.waitForEvent("trunk.opened");
    car.closeTrunk();
    await gateway.waitForEvent("trunk.closed");
    const locked = await gateway.request("lock");
    expect(locked).toMatchObject({ status: "succeeded", state: { locks: "locked", trunk: "closed" } });
    expect(agent.state.locks).toBe("locked");
    expect(gateway.states.map(locksOf)).toContain("trunk_unlocked");
  });

  it("keeps the trunk locked while the car is driven: unlock_trunk fails with driving", async () => {
    const { gateway, car, agent } = await parkedCar();
    car.drive();
    await gateway.waitForEvent("vehicle.driving");
    const ack = await gateway.request("unlock_trunk");
    expect(ack).toMatchObject({ status: "failed", reason: "driving", state: { drive: "driving", locks: "locked" } });
    expect(gateway.eventsOfType("trunk.unlocked")).toEqual([]);
    expect(car.openTrunk()).toBe(false);
    expect(agent.state.trunk).toBe("closed");
  });

  it("will not lock with the trunk open: lock fails with door_open and the trunk stays released", async () => {
    const { gateway, car } = await parkedCar();
    await gateway.request("unlock_trunk");
    car.openTrunk();
    expect(await gateway.request("lock")).toMatchObject({
      status: "failed",
      reason: "door_open",
      state: { trunk: "open", locks: "trunk_unlocked" },
    });
  });

  it("reports a lid that will not lift without a released trunk", async () => {
    const { car, agent } = await parkedCar();
    expect(car.openTrunk()).toBe(false);
    expect(agent.state.trunk).toBe("closed");
  });

  it("reports driving, parking and a moved fix as signed events with the position", async () => {
    const { gateway, car } = await parkedCar();
    car.drive();
    car.moveTo(52.38, 4.9);
    car.park();
    const parked = await gateway.waitForEvent("vehicle.parked");
    expect(parked.data).toEqual({ lat: 52.38, lng: 4.9 });
    car.moveTo(52.381, 4.9);
    const moved = await gateway.waitForEvent("vehicle.moved", (event) => event.data.lat === 52.381);
    expect(moved.data).toEqual({ lat: 52.381, lng: 4.9 });
    const last = await gateway.waitForState((s) => "position" in s.state && s.state.position.lat === 52.381);
    expect(last.state).toMatchObject({ drive: "parked", position: { lat: 52.381, lng: 4.9 } });
  });

  it("refuses an expired unlock_trunk and a replayed one; the trunk stays as it was", async () => {
    const { gateway, agent } = await parkedCar();
    const now = Date.now();
    const expired = await gateway.request("unlock_trunk", { issuedAt: now - 11_000, expiresAt: now - 1_000 });
    expect(expired).toMatchObject({ status: "rejected", reason: "expired" });
    expect(agent.state.locks).toBe("locked");
    const command = JSON.stringify(gateway.sign(gateway.command("unlock_trunk")));
    await gateway.send(command);
    await gateway.send(command);
    await gateway.waitForEvent("command.rejected", (event) => event.data.reason === "replayed");
    expect(gateway.eventsOfType("trunk.unlocked")).toHaveLength(1);
  });

  it("answers a command that is not a car's as unsupported", async () => {
    const { gateway, agent } = await parkedCar();
    expect(await gateway.request("unlock")).toMatchObject({ status: "rejected", reason: "unsupported" });
    expect(agent.state.locks).toBe("locked");
  });
});

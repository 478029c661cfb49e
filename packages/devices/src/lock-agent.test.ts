import { ManualClock, ManualScheduler } from "@threshold/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { LockAgent } from "./lock-agent.js";
import { TestBench } from "./test-support/bench.js";
import { startBroker, type TestBroker } from "./test-support/broker.js";

let broker: TestBroker;
let bench: TestBench;

beforeAll(async () => {
  broker = await startBroker();
  bench = new TestBench(broker);
});
afterEach(() => bench.cleanup());
afterAll(() => broker.close());

/** The lock's clock and timers, moved by the test itself: a relock comes due when the test says so. */
function manualTime() {
  const scheduler = new ManualScheduler(new ManualClock(Date.now()));
  return { clock: scheduler.clock, scheduler };
}

/** The types of the events the agent emits, recorded as it emits them (the gateway hears them later). */
function emittedBy(agent: LockAgent): string[] {
  const types: string[] = [];
  agent.onEvent((event) => types.push(event.type));
  return types;
}

describe("LockAgent", () => {
  it("starts locked and closed, and announces it in a signed, retained, online state", async () => {
    const { gateway, agent } = await bench.lock();
    const [state] = gateway.states;
    expect(state).toMatchObject({
      online: true,
      kind: "lock",
      trustedKid: "k1",
      state: { lock: "locked", door: "closed", battery: 100, autoRelockS: 0, lockedOut: false },
    });
    expect(agent.state.lock).toBe("locked");
    expect(gateway.problems).toEqual([]);
  });

  it("unlocks on a signed command: ack succeeded with the new state, a lock.unlocked event and a new state", async () => {
    const { gateway, agent } = await bench.lock();
    const ack = await gateway.request("unlock");
    expect(ack).toMatchObject({ status: "succeeded", state: { lock: "unlocked" } });
    expect(ack.reason).toBeUndefined();
    const unlocked = await gateway.waitForEvent("lock.unlocked");
    expect(unlocked.data).toMatchObject({ by: "command", commandId: ack.commandId });
    await gateway.waitForState((state) => "lock" in state.state && state.state.lock === "unlocked");
    expect(agent.state.lock).toBe("unlocked");
    // Every ack, event and state above was schema-valid and signed by this device's key.
    expect(gateway.problems).toEqual([]);
  });

  it("numbers its events from 0 upwards and gives each its own id", async () => {
    const { gateway, agent } = await bench.lock();
    agent.openDoor();
    agent.closeDoor();
    await gateway.waitForEvent("door.closed");
    const events = gateway.events;
    expect(events.map((event) => event.seq)).toEqual([0, 1, 2]);
    expect(events.map((event) => event.type)).toEqual(["door.opened", "alarm.forced", "door.closed"]);
    expect(new Set(events.map((event) => event.id)).size).toBe(3);
  });

  it("refuses to lock while the door is open, and locks once it is closed", async () => {
    const { gateway, agent } = await bench.lock();
    await gateway.request("unlock");
    agent.openDoor();
    const refused = await gateway.request("lock");
    expect(refused).toMatchObject({ status: "failed", reason: "door_open", state: { lock: "unlocked", door: "open" } });
    agent.closeDoor();
    const locked = await gateway.request("lock");
    expect(locked).toMatchObject({ status: "succeeded", state: { lock: "locked", door: "closed" } });
    await gateway.waitForEvent("lock.locked", (event) => event.data.by === "command");
  });

  it("relocks by itself after autoRelockS when the door is closed", async () => {
    const time = manualTime();
    const { gateway, agent } = await bench.lock({ autoRelockS: 2, ...time });
    await gateway.request("unlock");
    time.scheduler.advance(1_999);
    expect(agent.state.lock).toBe("unlocked");
    time.scheduler.advance(1);
    expect(agent.state.lock).toBe("locked");
    const relocked = await gateway.waitForEvent("lock.locked");
    expect(relocked.data).toEqual({ by: "auto_relock" });
    expect(agent.state.lock).toBe("locked");
  });

  it("waits for the door to close before relocking", async () => {
    const time = manualTime();
    const { gateway, agent } = await bench.lock({ autoRelockS: 1, ...time });
    const emitted = emittedBy(agent);
    await gateway.request("unlock");
    agent.openDoor();
    time.scheduler.advance(6_000); // six relock periods: the relock came due while the door stood open
    expect(agent.state.lock).toBe("unlocked");
    expect(emitted).toEqual(["lock.unlocked", "door.opened"]);
    agent.closeDoor();
    expect(agent.state.lock).toBe("locked");
    const relocked = await gateway.waitForEvent("lock.locked");
    expect(relocked.data).toEqual({ by: "auto_relock" });
    expect(relocked.seq).toBeGreaterThan((await gateway.waitForEvent("door.closed")).seq);
  });

  it("fails an unlock while jammed and raises alarm.jammed", async () => {
    const { gateway, agent } = await bench.lock();
    agent.jam();
    await gateway.waitForEvent("alarm.jammed");
    const ack = await gateway.request("unlock");
    expect(ack).toMatchObject({ status: "failed", reason: "jammed", state: { lock: "jammed" } });
    expect(gateway.eventsOfType("lock.unlocked")).toEqual([]);
    agent.clearJam();
    expect(await gateway.request("unlock")).toMatchObject({ status: "succeeded" });
  });

  it("warns of a low battery once, and refuses to unlock on an almost empty one", async () => {
    const { gateway, agent } = await bench.lock();
    agent.setBattery(19);
    agent.setBattery(15);
    const low = await gateway.waitForEvent("battery.low");
    expect(low.data).toEqual({ battery: 19 });
    agent.setBattery(4);
    const ack = await gateway.request("unlock");
    expect(ack).toMatchObject({ status: "failed", reason: "low_battery", state: { lock: "locked", battery: 4 } });
    expect(gateway.eventsOfType("battery.low")).toHaveLength(1);
    expect(() => agent.setBattery(101)).toThrow(RangeError);
  });

  it("locks the keypad out after wrongCodeLimit wrong codes in a row, for lockoutS", async () => {
    const time = manualTime();
    const { gateway, agent } = await bench.lock({ wrongCodeLimit: 3, lockoutS: 5, ...time });
    agent.enterWrongCode();
    agent.enterWrongCode();
    expect(agent.state.lockedOut).toBe(false);
    agent.enterWrongCode();
    expect(agent.state.lockedOut).toBe(true);
    const alarm = await gateway.waitForEvent("alarm.wrong_code_limit");
    expect(alarm.data).toEqual({ attempts: 3, lockoutS: 5 });
    const lockedOut = await gateway.waitForState((state) => "lockedOut" in state.state && state.state.lockedOut);
    time.scheduler.advance(4_999);
    expect(agent.state.lockedOut).toBe(true);
    time.scheduler.advance(1);
    await gateway.waitForState(
      (state) => "lockedOut" in state.state && !state.state.lockedOut,
      gateway.states.indexOf(lockedOut),
    );
    expect(agent.state.lockedOut).toBe(false);
  });

  it("raises alarm.forced when a locked door is opened, and alarm.ajar when it stays open", async () => {
    const time = manualTime();
    const { gateway, agent } = await bench.lock({ ajarAfterS: 3, ...time });
    const emitted = emittedBy(agent);
    agent.openDoor();
    const forced = await gateway.waitForEvent("alarm.forced");
    expect(forced.data).toEqual({ lock: "locked" });
    time.scheduler.advance(2_999);
    expect(emitted).toEqual(["door.opened", "alarm.forced"]);
    time.scheduler.advance(1);
    const ajar = await gateway.waitForEvent("alarm.ajar");
    expect(ajar.data).toEqual({ openS: 3 });
  });

  it("answers a ping without changing anything", async () => {
    const { gateway } = await bench.lock();
    const ack = await gateway.request("ping");
    expect(ack).toMatchObject({ status: "succeeded", state: { lock: "locked" } });
    expect(gateway.events).toEqual([]);
  });

  it("rejects actions a lock does not have as unsupported", async () => {
    const { gateway } = await bench.lock();
    const ack = await gateway.request("record_start", { params: { visitId: "vis_x" } });
    expect(ack).toMatchObject({ status: "rejected", reason: "unsupported" });
  });

  it("tells state listeners of every change", async () => {
    const { gateway, agent } = await bench.lock();
    const seen: string[] = [];
    const stopListening = agent.onStateChange((state) => seen.push(`${state.lock}/${state.door}`));
    await gateway.request("unlock");
    agent.openDoor();
    stopListening();
    agent.closeDoor();
    expect(seen).toEqual(["unlocked/closed", "unlocked/open"]);
  });
});

describe("LockAgent on a fridge (temperatureC)", () => {
  it("reports the inside temperature in its state and a temperature.reported event for half-degree moves", async () => {
    const { gateway, agent } = await bench.lock({ temperatureC: 4 });
    expect(gateway.states[0]?.state).toMatchObject({ lock: "locked", temperatureC: 4 });
    agent.setTemperature(4.2); // too small a move for an event, but the state says it
    agent.setTemperature(9.04);
    const warm = await gateway.waitForEvent("temperature.reported");
    expect(warm.data).toEqual({ temperatureC: 9 });
    await gateway.waitForState((state) => "temperatureC" in state.state && state.state.temperatureC === 9);
    expect(gateway.eventsOfType("temperature.reported")).toHaveLength(1);
    expect(() => agent.setTemperature(120)).toThrow(RangeError);
    expect(gateway.problems).toEqual([]);
  });

  it("has no temperature unless it is a fridge lock", async () => {
    const { gateway, agent } = await bench.lock();
    expect(gateway.states[0]?.state).not.toHaveProperty("temperatureC");
    expect(() => agent.setTemperature(5)).toThrow(/no temperature sensor/);
  });
});

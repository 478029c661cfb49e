import { ManualClock, ManualScheduler, newId } from "@threshold/core";
import { type AckMessage, type EventType, generateEd25519, type StateMessage } from "@threshold/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TestBench } from "./test-support/bench.js";
import { startBroker, type TestBroker } from "./test-support/broker.js";
import type { TestGateway } from "./test-support/test-gateway.js";

let broker: TestBroker;
let bench: TestBench;

beforeAll(async () => {
  broker = await startBroker();
  bench = new TestBench(broker);
});
afterEach(() => bench.cleanup());
afterAll(() => broker.close());

/**
 * The opener's clock and timers, moved by the test itself: a door travels, and auto-close comes
 * due, only when the test advances time (a 4 s travel here).
 */
function manualTime() {
  const scheduler = new ManualScheduler(new ManualClock(Date.now()));
  return { clock: scheduler.clock, scheduler, travelS: 4 };
}
const TRAVEL_MS = 4_000;

/** Waits until the gateway has heard the `nth` (from 1) event of `type`: the movement it announces has begun. */
function nthEvent(gateway: TestGateway, type: EventType, nth: number): Promise<unknown> {
  return gateway.waitForEvent(type, (event) => gateway.eventsOfType(type).indexOf(event) === nth - 1);
}

/** Sends `action`, lets the door travel all the way once it is seen moving, and resolves with the ack. */
async function requestAndTravel(
  gateway: TestGateway,
  scheduler: ManualScheduler,
  action: "open" | "close",
  travelMs = TRAVEL_MS,
): Promise<AckMessage> {
  const moving = action === "open" ? "garage.opening" : "garage.closing";
  const movesBefore = gateway.eventsOfType(moving).length;
  const ack = gateway.request(action);
  await nthEvent(gateway, moving, movesBefore + 1);
  scheduler.advance(travelMs);
  return ack;
}
const doorOf = (state: StateMessage) => ("obstructed" in state.state ? state.state.door : undefined);

describe("GarageOpenerAgent", () => {
  it("starts closed and at rest, and announces it in a signed, online state", async () => {
    const { gateway, agent } = await bench.garageOpener({ autoCloseS: 600, ...manualTime() });
    expect(gateway.states[0]).toMatchObject({
      online: true,
      kind: "garage_opener",
      state: { door: "closed", obstructed: false, autoCloseS: 600 },
    });
    expect(agent.state.door).toBe("closed");
    expect(gateway.problems).toEqual([]);
  });

  it("opens on a signed command, moving first, and acks only once fully open", async () => {
    const time = manualTime();
    const { gateway, agent } = await bench.garageOpener(time);
    const acked = gateway.request("open");
    await gateway.waitForEvent("garage.opening");
    time.scheduler.advance(TRAVEL_MS - 1);
    expect(agent.state.door).toBe("opening");
    time.scheduler.advance(1);
    const ack = await acked;
    expect(ack).toMatchObject({ status: "succeeded", state: { door: "open", obstructed: false } });
    expect(gateway.events.map((event) => event.type)).toEqual(["garage.opening", "garage.opened"]);
    expect(gateway.events[1]?.data).toEqual({ by: "command", commandId: ack.commandId });
    const doors = gateway.states.map(doorOf);
    expect(doors.indexOf("opening")).toBeGreaterThan(-1);
    expect(doors.indexOf("opening")).toBeLessThan(doors.lastIndexOf("open"));
    expect(agent.state.door).toBe("open");
    expect(gateway.problems).toEqual([]);
  });

  it("closes on a signed command and acks fully closed; opening or closing twice changes nothing", async () => {
    const time = manualTime();
    const { gateway, agent } = await bench.garageOpener(time);
    expect(await gateway.request("close")).toMatchObject({ status: "succeeded", state: { door: "closed" } });
    expect(gateway.events).toEqual([]);
    await requestAndTravel(gateway, time.scheduler, "open");
    expect(await gateway.request("open")).toMatchObject({ status: "succeeded", state: { door: "open" } });
    const closed = await requestAndTravel(gateway, time.scheduler, "close");
    expect(closed).toMatchObject({ status: "succeeded", state: { door: "closed", obstructed: false } });
    expect(gateway.eventsOfType("garage.closed")).toHaveLength(1);
    expect(agent.state.door).toBe("closed");
  });

  it("reverses a closing door when the beam is broken, fails the close as obstructed, and will not close until clear", async () => {
    const time = manualTime();
    const { gateway, agent } = await bench.garageOpener(time);
    await requestAndTravel(gateway, time.scheduler, "open");
    const closing = gateway.request("close");
    await gateway.waitForEvent("garage.closing");
    agent.obstruct();
    const ack = await closing;
    expect(ack).toMatchObject({ status: "failed", reason: "obstructed", state: { door: "opening", obstructed: true } });
    expect((await gateway.waitForEvent("alarm.obstructed")).data).toEqual({ reversed: true });
    time.scheduler.advance(TRAVEL_MS);
    const reopened = await gateway.waitForEvent("garage.opened", (event) => event.data.by === "reversal");
    expect(reopened).toBeDefined();
    expect(agent.state).toMatchObject({ door: "open", obstructed: true });
    expect(await gateway.request("close")).toMatchObject({ status: "failed", reason: "obstructed" });
    expect(agent.state.door).toBe("open");
    agent.clearObstruction();
    expect(await requestAndTravel(gateway, time.scheduler, "close")).toMatchObject({
      status: "succeeded",
      state: { door: "closed" },
    });
  });

  it("raises an obstruction alarm without reversing when the door is at rest", async () => {
    const { gateway, agent } = await bench.garageOpener(manualTime());
    agent.obstruct();
    expect((await gateway.waitForEvent("alarm.obstructed")).data).toEqual({ reversed: false });
    expect(agent.state).toMatchObject({ door: "closed", obstructed: true });
  });

  it("closes by itself autoCloseS after opening fully", async () => {
    const time = manualTime();
    const { gateway, agent } = await bench.garageOpener({ ...time, autoCloseS: 3 });
    await requestAndTravel(gateway, time.scheduler, "open");
    time.scheduler.advance(2_999);
    expect(agent.state.door).toBe("open");
    time.scheduler.advance(1);
    expect(agent.state.door).toBe("closing");
    const closing = await gateway.waitForEvent("garage.closing");
    expect(closing.data).toEqual({ by: "auto_close" });
    time.scheduler.advance(TRAVEL_MS);
    await gateway.waitForEvent("garage.closed", (event) => event.data.by === "auto_close");
    expect(agent.state.door).toBe("closed");
  });

  it("waits with auto-close while the doorway is blocked", async () => {
    const time = manualTime();
    const { gateway, agent } = await bench.garageOpener({ ...time, autoCloseS: 2 });
    await requestAndTravel(gateway, time.scheduler, "open");
    const emitted: string[] = [];
    agent.onEvent((event) => emitted.push(event.type));
    agent.obstruct();
    time.scheduler.advance(8_000); // four auto-close periods
    expect(agent.state.door).toBe("open");
    expect(emitted).toEqual(["alarm.obstructed"]);
    agent.clearObstruction();
    // It waits its full time again once the doorway is clear.
    time.scheduler.advance(1_999);
    expect(agent.state.door).toBe("open");
    time.scheduler.advance(1);
    await gateway.waitForEvent("garage.closing", (event) => event.data.by === "auto_close");
    time.scheduler.advance(TRAVEL_MS);
    await gateway.waitForEvent("garage.closed", (event) => event.data.by === "auto_close");
  });

  it("rejects actions a garage opener does not have as unsupported", async () => {
    const { gateway } = await bench.garageOpener(manualTime());
    expect(await gateway.request("unlock")).toMatchObject({ status: "rejected", reason: "unsupported" });
    expect(await gateway.request("ping")).toMatchObject({ status: "succeeded", state: { door: "closed" } });
  });

  it("refuses expired, replayed, foreign, tampered and unsigned opens, and stays closed", async () => {
    const time = manualTime();
    const { gateway, agent } = await bench.garageOpener(time);
    const now = Date.now();
    const expired = gateway.sign(gateway.command("open", { issuedAt: now - 11_000, expiresAt: now - 1_000 }));
    const foreign = gateway.sign(gateway.command("open", { deviceId: newId("device") }));
    const forged = gateway.sign(gateway.command("open"), generateEd25519().privateKey);
    const unsigned = gateway.command("open");
    const signed = gateway.sign(gateway.command("open"));
    const tampered = JSON.stringify(signed).replace(
      /"expiresAt":(\d+)/,
      (_m, n: string) => `"expiresAt":${Number(n) - 1}`,
    );
    const cases = [
      [JSON.stringify(expired), expired.id, "expired"],
      [JSON.stringify(foreign), foreign.id, "wrong_device"],
      [JSON.stringify(forged), forged.id, "bad_signature"],
      [JSON.stringify(unsigned), unsigned.id, "malformed"],
      [tampered, signed.id, "bad_signature"],
    ] as const;
    for (const [payload, commandId, reason] of cases) {
      await gateway.send(payload);
      expect(await gateway.waitForAck(commandId)).toMatchObject({
        status: "rejected",
        reason,
        state: { door: "closed" },
      });
    }
    expect(agent.state.door).toBe("closed");
    expect(gateway.eventsOfType("garage.opening")).toEqual([]);

    // The one good command opens once; sent again it is a replay and moves nothing.
    const open = JSON.stringify(gateway.sign(gateway.command("open")));
    await gateway.send(open);
    await gateway.waitForEvent("garage.opening");
    time.scheduler.advance(TRAVEL_MS);
    await gateway.waitForEvent("garage.opened");
    expect(await requestAndTravel(gateway, time.scheduler, "close")).toMatchObject({ status: "succeeded" });
    await gateway.send(open);
    const replay = await gateway.waitForEvent("command.rejected", (event) => event.data.reason === "replayed");
    expect(replay).toBeDefined();
    expect(agent.state.door).toBe("closed");
    expect(gateway.eventsOfType("garage.opening")).toHaveLength(1);
  });
});

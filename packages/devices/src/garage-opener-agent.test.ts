import { newId } from "@threshold/core";
import { generateEd25519, type StateMessage } from "@threshold/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
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

/** A simulated second lasts 10 ms: a 4 s door travel takes 40 ms of test time. */
const FAST = { msPerSecond: 10, travelS: 4 };
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const doorOf = (state: StateMessage) => ("obstructed" in state.state ? state.state.door : undefined);

describe("GarageOpenerAgent", () => {
  it("starts closed and at rest, and announces it in a signed, online state", async () => {
    const { gateway, agent } = await bench.garageOpener({ autoCloseS: 600, ...FAST });
    expect(gateway.states[0]).toMatchObject({
      online: true,
      kind: "garage_opener",
      state: { door: "closed", obstructed: false, autoCloseS: 600 },
    });
    expect(agent.state.door).toBe("closed");
    expect(gateway.problems).toEqual([]);
  });

  it("opens on a signed command, moving first, and acks only once fully open", async () => {
    const { gateway, agent } = await bench.garageOpener(FAST);
    const ack = await gateway.request("open");
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
    const { gateway, agent } = await bench.garageOpener(FAST);
    expect(await gateway.request("close")).toMatchObject({ status: "succeeded", state: { door: "closed" } });
    expect(gateway.events).toEqual([]);
    await gateway.request("open");
    expect(await gateway.request("open")).toMatchObject({ status: "succeeded", state: { door: "open" } });
    const closed = await gateway.request("close");
    expect(closed).toMatchObject({ status: "succeeded", state: { door: "closed", obstructed: false } });
    expect(gateway.eventsOfType("garage.closed")).toHaveLength(1);
    expect(agent.state.door).toBe("closed");
  });

  it("reverses a closing door when the beam is broken, fails the close as obstructed, and will not close until clear", async () => {
    const { gateway, agent } = await bench.garageOpener({ ...FAST, travelS: 10 });
    await gateway.request("open");
    const closing = gateway.request("close");
    await gateway.waitForEvent("garage.closing");
    agent.obstruct();
    const ack = await closing;
    expect(ack).toMatchObject({ status: "failed", reason: "obstructed", state: { door: "opening", obstructed: true } });
    expect((await gateway.waitForEvent("alarm.obstructed")).data).toEqual({ reversed: true });
    const reopened = await gateway.waitForEvent("garage.opened", (event) => event.data.by === "reversal");
    expect(reopened).toBeDefined();
    expect(agent.state).toMatchObject({ door: "open", obstructed: true });
    expect(await gateway.request("close")).toMatchObject({ status: "failed", reason: "obstructed" });
    expect(agent.state.door).toBe("open");
    agent.clearObstruction();
    expect(await gateway.request("close")).toMatchObject({ status: "succeeded", state: { door: "closed" } });
  });

  it("raises an obstruction alarm without reversing when the door is at rest", async () => {
    const { gateway, agent } = await bench.garageOpener(FAST);
    agent.obstruct();
    expect((await gateway.waitForEvent("alarm.obstructed")).data).toEqual({ reversed: false });
    expect(agent.state).toMatchObject({ door: "closed", obstructed: true });
  });

  it("closes by itself autoCloseS after opening fully", async () => {
    const { gateway, agent } = await bench.garageOpener({ ...FAST, autoCloseS: 3 });
    await gateway.request("open");
    const closing = await gateway.waitForEvent("garage.closing");
    expect(closing.data).toEqual({ by: "auto_close" });
    await gateway.waitForEvent("garage.closed", (event) => event.data.by === "auto_close");
    expect(agent.state.door).toBe("closed");
  });

  it("waits with auto-close while the doorway is blocked", async () => {
    const { gateway, agent } = await bench.garageOpener({ ...FAST, autoCloseS: 2 });
    await gateway.request("open");
    agent.obstruct();
    await pause(80); // four auto-close periods
    expect(agent.state.door).toBe("open");
    expect(gateway.eventsOfType("garage.closing")).toEqual([]);
    agent.clearObstruction();
    await gateway.waitForEvent("garage.closed", (event) => event.data.by === "auto_close");
  });

  it("rejects actions a garage opener does not have as unsupported", async () => {
    const { gateway } = await bench.garageOpener(FAST);
    expect(await gateway.request("unlock")).toMatchObject({ status: "rejected", reason: "unsupported" });
    expect(await gateway.request("ping")).toMatchObject({ status: "succeeded", state: { door: "closed" } });
  });

  it("refuses expired, replayed, foreign, tampered and unsigned opens, and stays closed", async () => {
    const { gateway, agent } = await bench.garageOpener(FAST);
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
    await gateway.waitForEvent("garage.opened");
    expect(await gateway.request("close")).toMatchObject({ status: "succeeded" });
    await gateway.send(open);
    const replay = await gateway.waitForEvent("command.rejected", (event) => event.data.reason === "replayed");
    expect(replay).toBeDefined();
    expect(agent.state.door).toBe("closed");
    expect(gateway.eventsOfType("garage.opening")).toHaveLength(1);
  });
});

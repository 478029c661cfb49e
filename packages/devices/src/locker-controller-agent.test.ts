import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lockerPickupCode, ManualClock, ManualScheduler } from "@threshold/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { offlineSecretOf } from "./identity.js";
import { LockerControllerAgent } from "./locker-controller-agent.js";
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

const compartmentOf = (agent: LockerControllerAgent, n: number) => agent.state.compartments.find((c) => c.n === n);

describe("LockerControllerAgent", () => {
  it("opens one compartment on a signed command and reports the deposit when the door closes on a parcel", async () => {
    const { gateway, agent } = await bench.lockerController({ compartments: 4 });
    expect(gateway.states[0]).toMatchObject({ online: true, kind: "locker_controller" });
    const ack = await gateway.request("compartment_open", { params: { compartment: 3, purpose: "deposit" } });
    expect(ack).toMatchObject({ status: "succeeded" });
    expect(compartmentOf(agent, 3)).toMatchObject({ door: "open", occupied: false, deposits: 0 });
    expect(compartmentOf(agent, 2)).toMatchObject({ door: "closed" });
    agent.putParcel(3);
    agent.closeDoor(3);
    const closed = await gateway.waitForEvent("compartment.closed");
    expect(closed.data).toEqual({ compartment: 3, occupied: true, deposits: 1, deposited: true });
    expect(gateway.problems).toEqual([]);
  });

  it("fails a jammed compartment, refuses an unknown one and a command without a number", async () => {
    const { gateway, agent } = await bench.lockerController({ compartments: 4 });
    agent.jam(2);
    expect(await gateway.request("compartment_open", { params: { compartment: 2 } })).toMatchObject({
      status: "failed",
      reason: "jammed",
    });
    expect((await gateway.waitForEvent("alarm.jammed")).data).toMatchObject({ compartment: 2 });
    expect(compartmentOf(agent, 2)).toMatchObject({ door: "closed", jammed: true });
    expect(await gateway.request("compartment_open", { params: { compartment: 9 } })).toMatchObject({
      status: "rejected",
      reason: "unknown_compartment",
    });
    expect(await gateway.request("compartment_open")).toMatchObject({ status: "rejected", reason: "malformed" });
  });

  it("checks a pickup code itself, once, and locks the keypad out after five wrong codes, for lockoutS", async () => {
    const scheduler = new ManualScheduler(new ManualClock(Date.now()));
    const { gateway, agent, device } = await bench.lockerController({
      compartments: 4,
      lockoutS: 900,
      clock: scheduler.clock,
      scheduler,
    });
    const secret = offlineSecretOf(device.identity) as Uint8Array;
    await gateway.request("compartment_open", { params: { compartment: 1, purpose: "deposit" } });
    agent.putParcel(1);
    agent.closeDoor(1);
    const code = lockerPickupCode(secret, 1, 1);
    expect(await agent.enterCode(code)).toEqual({ result: "opened", compartment: 1, offline: false });
    agent.takeParcel(1);
    agent.closeDoor(1);
    expect((await gateway.waitForEvent("compartment.closed", (e) => e.data.occupied === false)).data).toMatchObject({
      deposited: false,
      deposits: 1,
    });
    expect(await agent.enterCode(code)).toMatchObject({ result: "refused" });
    for (let i = 0; i < 3; i++) await agent.enterCode("00000000");
    expect(await agent.enterCode("11111111")).toEqual({ result: "refused", wrongInARow: 5, lockedOut: true });
    expect(await agent.enterCode(code)).toEqual({ result: "locked_out" });
    expect(agent.state.lockedOut).toBe(true);
    await gateway.waitForEvent("alarm.wrong_code_limit");
    scheduler.advance(899_999);
    expect(agent.state.lockedOut).toBe(true);
    scheduler.advance(1);
    expect(agent.state.lockedOut).toBe(false);
  });

  it("works offline: logs the pickup durably with a counter and reports it once back, after a restart too", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "locker-agent-"));
    bench.defer(async () => rmSync(dataDir, { recursive: true, force: true }));
    const { gateway, agent, device } = await bench.lockerController({
      compartments: 2,
      dataDir,
      reconnectPeriodMs: 50,
    });
    const secret = offlineSecretOf(device.identity) as Uint8Array;
    await gateway.request("compartment_open", { params: { compartment: 2, purpose: "deposit" } });
    agent.putParcel(2);
    agent.closeDoor(2);
    await gateway.waitForEvent("compartment.closed");
    await agent.goOffline();
    expect(await agent.enterCode(lockerPickupCode(secret, 2, 1))).toEqual({
      result: "opened",
      compartment: 2,
      offline: true,
    });
    agent.takeParcel(2);
    agent.closeDoor(2);
    expect(agent.state.offlineLog).toBe(1);
    expect(gateway.eventsOfType("pickup.offline")).toHaveLength(0);
    // A power cut before the network comes back: the log is on disk.
    await agent.stop();
    const rebooted = new LockerControllerAgent({
      identity: device.identity,
      brokerUrl: broker.url,
      compartments: 2,
      dataDir,
      heartbeatMs: 60_000,
      log: () => {},
    });
    bench.defer(() => rebooted.stop());
    await rebooted.start();
    const report = await gateway.waitForEvent("pickup.offline");
    expect(report.data).toMatchObject({ compartment: 2, deposits: 1, log: 1 });
    expect(compartmentOf(rebooted, 2)).toMatchObject({ occupied: false, deposits: 1 });
  });
});

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock, offlineCode, offlineSlotAt, offlineSlotBounds } from "@threshold/core";
import { type CommandAction, type CommandMessage, sealPin, type Unsigned } from "@threshold/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { offlineSecretOf } from "./identity.js";
import { LockAgent, type LockAgentOptions } from "./lock-agent.js";
import { TestBench } from "./test-support/bench.js";
import { startBroker, type TestBroker } from "./test-support/broker.js";
import type { TestGateway } from "./test-support/test-gateway.js";

let broker: TestBroker;
let bench: TestBench;
const dirs: string[] = [];

beforeAll(async () => {
  broker = await startBroker();
  bench = new TestBench(broker);
});
afterEach(async () => {
  await bench.cleanup();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
afterAll(() => broker.close());

const CODE_ID = "acc_01m88ya0fzp3v6h1kd8ew2qg5n";
const PIN = "58291736";
/** 09:30 UTC: the middle of an hourly slot. */
const START = Date.UTC(2026, 10, 25, 9, 30);

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "threshold-keypad-"));
  dirs.push(dir);
  return dir;
}

/** A lock on a manual clock; commands are stamped with that clock, as a server in sync would. */
async function lockOnClock(options: Partial<LockAgentOptions> = {}) {
  const clock = new ManualClock(START);
  const running = await bench.lock({ clock, ...options });
  const secret = offlineSecretOf(running.agent.identity);
  if (!secret) throw new Error("test devices have a pairing secret");
  const request = (action: CommandAction, params: CommandMessage["params"]) => {
    const now = clock.now();
    const command: Partial<Unsigned<CommandMessage>> = { issuedAt: now, expiresAt: now + 10_000, params };
    return running.gateway.request(action, command);
  };
  return { ...running, clock, secret, request };
}

function pinSet(agent: LockAgent, secret: Uint8Array, validFrom: number, validUntil: number) {
  return { codeId: CODE_ID, pinSealed: sealPin(secret, agent.deviceId, CODE_ID, PIN), validFrom, validUntil };
}

const hasNoPin = (gateway: TestGateway) => gateway.events.every((event) => !JSON.stringify(event.data).includes(PIN));

describe("keypad: one-time codes programmed by the server", () => {
  it("stays shut while the code is disabled, opens once after pin_enable, and reports pin.used without the PIN", async () => {
    const { agent, gateway, secret, request, clock } = await lockOnClock();
    const set = await request("pin_set", pinSet(agent, secret, START - 60_000, START + 3_600_000));
    expect(set).toMatchObject({ status: "succeeded" });
    // Programmed disabled: the code alone never opens (rule 1 needs the server's checks first).
    expect(await agent.enterCode(PIN)).toMatchObject({ result: "refused" });
    expect(await request("pin_enable", { codeId: CODE_ID, enabledUntil: clock.now() + 60_000 })).toMatchObject({
      status: "succeeded",
    });
    expect(await agent.enterCode(PIN)).toEqual({ result: "opened", kind: "online", codeId: CODE_ID });
    expect(agent.state.lock).toBe("unlocked");
    const used = await gateway.waitForEvent("pin.used");
    expect(used.data).toEqual({ kind: "online", codeId: CODE_ID });
    await gateway.waitForEvent("lock.unlocked", (e) => e.data.by === "keypad");
    // Disposable: the second use is refused, enabled or not.
    expect(await agent.enterCode(PIN)).toMatchObject({ result: "refused" });
    expect(await request("pin_enable", { codeId: CODE_ID, enabledUntil: clock.now() + 60_000 })).toMatchObject({
      status: "failed",
      reason: "unknown_code",
    });
    expect(hasNoPin(gateway)).toBe(true);
    expect(await request("pin_remove", { codeId: CODE_ID })).toMatchObject({ status: "succeeded" });
  });

  it("refuses the code outside its window and after its enable period", async () => {
    const { agent, secret, request, clock } = await lockOnClock();
    await request("pin_set", pinSet(agent, secret, START + 600_000, START + 1_200_000));
    await request("pin_enable", { codeId: CODE_ID, enabledUntil: clock.now() + 60_000 });
    expect(await agent.enterCode(PIN)).toMatchObject({ result: "refused" }); // before the window
    clock.set(START + 900_000);
    await request("pin_enable", { codeId: CODE_ID, enabledUntil: clock.now() + 60_000 });
    clock.advance(61_000);
    expect(await agent.enterCode(PIN)).toMatchObject({ result: "refused" }); // enable period over
    clock.set(START + 1_200_000);
    await request("pin_enable", { codeId: CODE_ID, enabledUntil: clock.now() + 60_000 });
    expect(await agent.enterCode(PIN)).toMatchObject({ result: "refused" }); // window over
    expect(agent.state.lock).toBe("locked");
  });

  it("refuses a PIN sealed for another lock, and a removed code", async () => {
    const { agent, request, clock } = await lockOnClock();
    const stranger = new Uint8Array(32).fill(7);
    const foreign = await request("pin_set", pinSet(agent, stranger, START - 1, START + 3_600_000));
    expect(foreign).toMatchObject({ status: "failed", reason: "bad_code" });
    const secret = offlineSecretOf(agent.identity) as Uint8Array;
    await request("pin_set", pinSet(agent, secret, START - 1, START + 3_600_000));
    await request("pin_remove", { codeId: CODE_ID });
    expect(await request("pin_enable", { codeId: CODE_ID, enabledUntil: clock.now() + 60_000 })).toMatchObject({
      status: "failed",
      reason: "unknown_code",
    });
  });
});

describe("keypad: offline codes", () => {
  it("opens with a code of the current slot while disconnected from the broker, once, and reports it on reconnection", async () => {
    const { agent, gateway, secret, clock } = await lockOnClock();
    const slot = offlineSlotAt(clock.now());
    const code = offlineCode({ secret, slot, counter: 0 });
    await agent.goOffline();
    expect(agent.connected).toBe(false);
    expect(await agent.enterCode(code)).toEqual({ result: "opened", kind: "offline", slot, counter: 0 });
    expect(agent.state.lock).toBe("unlocked");
    expect(await agent.enterCode(code)).toMatchObject({ result: "refused" });
    // Another counter of the same slot is another code.
    expect(await agent.enterCode(offlineCode({ secret, slot, counter: 1 }))).toMatchObject({ result: "opened" });
    expect(gateway.eventsOfType("pin.used")).toEqual([]);
    await agent.goOnline();
    const used = await gateway.waitForEvent("pin.used", (e) => e.data.counter === 0);
    expect(used.data).toEqual({ kind: "offline", slot, counter: 0 });
    expect(used.at).toBe(START);
    await gateway.waitForEvent("pin.used", (e) => e.data.counter === 1);
    expect(hasNoPin(gateway)).toBe(true);
  });

  it("refuses an offline code its carrier withdrew (offline_code_revoke), also after a reboot; others still open", async () => {
    const dir = await dataDir();
    const { agent, secret, request, clock } = await lockOnClock({ dataDir: dir });
    const slot = offlineSlotAt(clock.now());
    const withdrawn = offlineCode({ secret, slot, counter: 2 });
    const revoke = { codeId: CODE_ID, slot, counter: 2 };
    expect(await request("offline_code_revoke", revoke)).toMatchObject({ status: "succeeded" });
    // Retried (the ack was lost): still fine.
    expect(await request("offline_code_revoke", revoke)).toMatchObject({ status: "succeeded" });
    expect(await request("offline_code_revoke", { codeId: CODE_ID, slot })).toMatchObject({
      status: "rejected",
      reason: "malformed",
    });
    expect(await agent.enterCode(withdrawn)).toMatchObject({ result: "refused", wrongInARow: 1 });
    await agent.stop();
    const rebooted = new LockAgent({
      identity: agent.identity,
      clock,
      dataDir: dir,
      heartbeatMs: 60_000,
      log: () => {},
    });
    bench.defer(() => rebooted.stop());
    await rebooted.start();
    expect(await rebooted.enterCode(withdrawn)).toMatchObject({ result: "refused" });
    expect(await rebooted.enterCode(offlineCode({ secret, slot, counter: 3 }))).toMatchObject({
      result: "opened",
      kind: "offline",
    });
  });

  it("refuses a code of another lock, and a code outside its slot", async () => {
    const { agent, secret, clock } = await lockOnClock({ offlineSkewS: 0 });
    const other = new Uint8Array(32).fill(9);
    const slot = offlineSlotAt(clock.now());
    expect(await agent.enterCode(offlineCode({ secret: other, slot, counter: 0 }))).toMatchObject({
      result: "refused",
    });
    expect(await agent.enterCode(offlineCode({ secret, slot: slot + 1, counter: 0 }))).toMatchObject({
      result: "refused",
    });
    expect(await agent.enterCode(offlineCode({ secret, slot: slot - 1, counter: 0 }))).toMatchObject({
      result: "refused",
    });
  });

  it("tolerates a lock clock off by up to offlineSkewS around the slot, and no more", async () => {
    const { agent, secret, clock } = await lockOnClock({ offlineSkewS: 120, wrongCodeLimit: 50 });
    const slot = offlineSlotAt(clock.now());
    const { startMs, endMs } = offlineSlotBounds(slot);
    clock.set(endMs + 119_000);
    expect(await agent.enterCode(offlineCode({ secret, slot, counter: 2 }))).toMatchObject({ result: "opened" });
    clock.set(endMs + 121_000);
    expect(await agent.enterCode(offlineCode({ secret, slot, counter: 3 }))).toMatchObject({ result: "refused" });
    clock.set(startMs - 119_000);
    expect(await agent.enterCode(offlineCode({ secret, slot, counter: 4 }))).toMatchObject({ result: "opened" });
    clock.set(startMs - 121_000);
    expect(await agent.enterCode(offlineCode({ secret, slot, counter: 5 }))).toMatchObject({ result: "refused" });
  });
});

describe("keypad: brute force", () => {
  it("refuses the 6th code in a row even when right, opens after the lockout, and never blocks a signed unlock", async () => {
    const { agent, gateway, secret, clock, request } = await lockOnClock();
    const right = offlineCode({ secret, slot: offlineSlotAt(clock.now()), counter: 0 });
    for (let i = 1; i <= 5; i++) {
      expect(await agent.enterCode(String(100000000 + i))).toMatchObject({ result: "refused", lockedOut: i === 5 });
    }
    const alarm = await gateway.waitForEvent("alarm.wrong_code_limit");
    expect(alarm.data).toEqual({ attempts: 5, lockoutS: 300 });
    expect(agent.state.lockedOut).toBe(true);
    expect(await agent.enterCode(right)).toMatchObject({ result: "locked_out", untilMs: START + 300_000 });
    expect(agent.state.lock).toBe("locked");
    // The recipient's own unlock (a signed command) is never held up by a keypad lockout.
    expect(await request("unlock", {})).toMatchObject({ status: "succeeded", state: { lock: "unlocked" } });
    expect(await request("lock", {})).toMatchObject({ status: "succeeded", state: { lock: "locked" } });
    clock.advance(299_000);
    expect(await agent.enterCode(right)).toMatchObject({ result: "locked_out" });
    clock.advance(1_000);
    expect(await agent.enterCode(right)).toMatchObject({ result: "opened" });
  });
});

describe("keypad: reboots", () => {
  it("a new agent on the same data directory forgets neither a used code nor the wrong-code count nor a lockout", async () => {
    const dir = await dataDir();
    const clock = new ManualClock(START);
    const first = await bench.lock({ clock, dataDir: dir });
    const secret = offlineSecretOf(first.agent.identity) as Uint8Array;
    const code = offlineCode({ secret, slot: offlineSlotAt(START), counter: 0 });
    expect(await first.agent.enterCode(code)).toMatchObject({ result: "opened" });
    for (let i = 0; i < 3; i++) await first.agent.enterCode("999999999");
    await first.agent.stop();

    const reboot = (label: string) => {
      const agent = new LockAgent({
        identity: first.agent.identity,
        clock,
        dataDir: dir,
        heartbeatMs: 60_000,
        log: () => {},
      });
      bench.defer(() => agent.stop());
      return agent.start().then(
        () => agent,
        (error: unknown) => Promise.reject(new Error(`${label}: ${String(error)}`)),
      );
    };
    const second = await reboot("second boot");
    // The used code is still used (the 4th wrong code in a row), and the count goes on to the lockout.
    expect(await second.enterCode(code)).toMatchObject({ result: "refused", wrongInARow: 4 });
    expect(await second.enterCode("999999999")).toMatchObject({ result: "refused", lockedOut: true });
    await second.stop();

    const third = await reboot("third boot");
    expect(third.state.lockedOut).toBe(true);
    const fresh = offlineCode({ secret, slot: offlineSlotAt(START), counter: 1 });
    expect(await third.enterCode(fresh)).toMatchObject({ result: "locked_out" });
    clock.advance(300_000);
    expect(await third.enterCode(fresh)).toMatchObject({ result: "opened" });
  });

  it("sends a use made offline after a reboot that happened before reconnecting", async () => {
    const dir = await dataDir();
    const clock = new ManualClock(START);
    const first = await bench.lock({ clock, dataDir: dir });
    const secret = offlineSecretOf(first.agent.identity) as Uint8Array;
    await first.agent.goOffline();
    const code = offlineCode({ secret, slot: offlineSlotAt(START), counter: 3 });
    expect(await first.agent.enterCode(code)).toMatchObject({ result: "opened" });
    await first.agent.stop();
    const second = new LockAgent({
      identity: first.agent.identity,
      clock,
      dataDir: dir,
      heartbeatMs: 60_000,
      log: () => {},
    });
    bench.defer(() => second.stop());
    await second.start();
    const used = await first.gateway.waitForEvent("pin.used");
    expect(used.data).toEqual({ kind: "offline", slot: offlineSlotAt(START), counter: 3 });
  });
});

describe("keypad: guest keys (Matter user types)", () => {
  const GUEST = "gky_01m88w2k0a7c9e1g3j5m7p9r1t";
  const GUEST_PIN = "734819";
  /** START is a Wednesday (ISO weekday 3), 09:30 UTC. */
  const guestSet = (
    agent: LockAgent,
    secret: Uint8Array,
    params: Partial<CommandMessage["params"]>,
    pin = GUEST_PIN,
  ): CommandMessage["params"] => ({
    codeId: GUEST,
    pinSealed: sealPin(secret, agent.deviceId, GUEST, pin),
    validFrom: START - 60_000,
    validUntil: START + 30 * 24 * 3_600_000,
    ...params,
  });

  it("an unrestricted key opens by itself, again and again, and reports each use as a guest use", async () => {
    const { agent, gateway, secret, request, clock } = await lockOnClock();
    expect(await request("pin_set", guestSet(agent, secret, { userType: "unrestricted" }))).toMatchObject({
      status: "succeeded",
    });
    expect(await agent.enterCode(GUEST_PIN)).toEqual({ result: "opened", kind: "guest", codeId: GUEST });
    const used = await gateway.waitForEvent("pin.used");
    expect(used.data).toEqual({ kind: "guest", codeId: GUEST });
    clock.advance(3_600_000);
    expect(await agent.enterCode(GUEST_PIN)).toMatchObject({ result: "opened", kind: "guest" });
    // A guest key is not a retailer code: pin_enable does not apply to it.
    expect(await request("pin_enable", { codeId: GUEST, enabledUntil: clock.now() + 60_000 })).toMatchObject({
      status: "failed",
      reason: "unknown_code",
    });
    expect(await request("pin_remove", { codeId: GUEST })).toMatchObject({ status: "succeeded" });
    expect(await agent.enterCode(GUEST_PIN)).toMatchObject({ result: "refused" });
  });

  it("a week-day schedule opens only on its days and hours, in its time zone", async () => {
    const { agent, secret, request, clock } = await lockOnClock();
    // Wednesdays and Thursdays, 10:00–12:00 in Amsterdam (UTC+1 in November): 09:00–11:00 UTC.
    const schedule = { weekDays: [3, 4], startMinute: 600, endMinute: 720, timeZone: "Europe/Amsterdam" };
    expect(
      await request("pin_set", guestSet(agent, secret, { userType: "week_day_schedule", ...schedule })),
    ).toMatchObject({ status: "succeeded" });
    expect(await agent.enterCode(GUEST_PIN)).toMatchObject({ result: "opened" }); // Wed 10:30 local
    clock.set(START + 2 * 3_600_000); // Wed 12:30 local: after hours — the right PIN at the wrong time
    expect(await agent.enterCode(GUEST_PIN)).toEqual({ result: "not_now", codeId: GUEST });
    clock.set(START + 2 * 24 * 3_600_000); // Fri 10:30 local: not its day
    expect(await agent.enterCode(GUEST_PIN)).toEqual({ result: "not_now", codeId: GUEST });
    clock.set(START + 24 * 3_600_000); // Thu 10:30 local
    expect(await agent.enterCode(GUEST_PIN)).toMatchObject({ result: "opened" });
  });

  it("refuses a week-day schedule it cannot follow, and an expiring key without its duration", async () => {
    const { agent, secret, request } = await lockOnClock();
    const badZone = { weekDays: [1], startMinute: 0, endMinute: 60, timeZone: "Mars/Olympus" };
    expect(
      await request("pin_set", guestSet(agent, secret, { userType: "week_day_schedule", ...badZone })),
    ).toMatchObject({ status: "rejected", reason: "malformed" });
    const backwards = { weekDays: [1], startMinute: 600, endMinute: 540, timeZone: "UTC" };
    expect(
      await request("pin_set", guestSet(agent, secret, { userType: "week_day_schedule", ...backwards })),
    ).toMatchObject({ status: "rejected" });
    expect(await request("pin_set", guestSet(agent, secret, { userType: "expiring" }))).toMatchObject({
      status: "rejected",
      reason: "malformed",
    });
    expect(await agent.enterCode(GUEST_PIN)).toMatchObject({ result: "refused" });
  });

  it("a year-day (temporary) key opens only between its dates; a disposable key once", async () => {
    const { agent, secret, request, clock } = await lockOnClock();
    await request(
      "pin_set",
      guestSet(agent, secret, {
        userType: "year_day_schedule",
        validFrom: START + 60_000,
        validUntil: START + 120_000,
      }),
    );
    expect(await agent.enterCode(GUEST_PIN)).toMatchObject({ result: "not_now" }); // not yet
    clock.set(START + 60_000);
    expect(await agent.enterCode(GUEST_PIN)).toMatchObject({ result: "opened" });
    clock.set(START + 120_000);
    expect(await agent.enterCode(GUEST_PIN)).toMatchObject({ result: "refused" }); // over

    await request("pin_set", guestSet(agent, secret, { userType: "disposable", validUntil: START + 3_600_000 }));
    expect(await agent.enterCode(GUEST_PIN)).toMatchObject({ result: "opened" });
    expect(await agent.enterCode(GUEST_PIN)).toMatchObject({ result: "refused" });
  });

  it("an expiring key stops a set time after its first use, and a reboot does not restart the countdown", async () => {
    const dir = await dataDir();
    const { agent, secret, request, clock } = await lockOnClock({ dataDir: dir });
    await request("pin_set", guestSet(agent, secret, { userType: "expiring", expiresAfterUseS: 3_600 }));
    clock.advance(24 * 3_600_000); // unused for a day: the countdown has not started
    expect(await agent.enterCode(GUEST_PIN)).toMatchObject({ result: "opened" });
    clock.advance(3_599_000);
    expect(await agent.enterCode(GUEST_PIN)).toMatchObject({ result: "opened" });
    await agent.stop();
    const rebooted = new LockAgent({
      identity: agent.identity,
      clock,
      dataDir: dir,
      heartbeatMs: 60_000,
      log: () => {},
    });
    bench.defer(() => rebooted.stop());
    await rebooted.start();
    clock.advance(1_000);
    expect(await rebooted.enterCode(GUEST_PIN)).toMatchObject({ result: "refused" });
  });

  it("refuses a second user with the same PIN: the keypad could not tell them apart", async () => {
    const { agent, secret, request } = await lockOnClock();
    await request("pin_set", guestSet(agent, secret, { userType: "unrestricted" }));
    const other = "gky_01m88w2k0a7c9e1g3j5m7p9r2v";
    const twin = await request("pin_set", {
      ...guestSet(agent, secret, { userType: "unrestricted" }),
      codeId: other,
      pinSealed: sealPin(secret, agent.deviceId, other, GUEST_PIN),
    });
    expect(twin).toMatchObject({ status: "failed", reason: "bad_code" });
  });
});

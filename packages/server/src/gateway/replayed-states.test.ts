import { ManualClock } from "@threshold/core";
import { deviceTopic, type StateMessage } from "@threshold/protocol";
import type { MqttClient } from "mqtt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../test/databases.js";
import { connectAsDevice } from "../test/devices.js";
import { startTestServer, type TestServer } from "../test/harness.js";
import { createHome, type TestHome } from "../test/home.js";
import { until, untilDeviceOnline } from "../test/wait.js";

/**
 * Hostile finding 2: a signed state captured during a visit and published again later with the
 * lock's credentials must change nothing. The lock here is the real simulated lock agent with its
 * own key, on the real embedded broker; the attacker holds its MQTT credentials and what it signed.
 */
describe.each(TEST_DATABASES)("replayed lock states on %s", (database) => {
  let server: TestServer;
  let home: TestHome;
  // The devices share the server's clock (test/home.ts), so it starts at real time.
  const clock = new ManualClock(Date.now());
  /** Every state the gateway accepted from the lock, as signed: what an eavesdropper would keep. */
  const captured: StateMessage[] = [];
  const attackers: MqttClient[] = [];

  beforeAll(async () => {
    server = await startTestServer({ database, clock });
    server.ctx.gateway.on("deviceState", (state) => {
      if (state.deviceId === home?.lock.deviceId) captured.push(state);
    });
    home = await createHome(server);
  });
  afterEach(async () => {
    await Promise.all(attackers.splice(0).map((client) => client.endAsync(true)));
  });
  afterAll(async () => {
    await home?.stop();
    await server?.destroy();
  });

  const readLock = () =>
    server.ctx.db
      .selectFrom("devices")
      .select(["online", "reported_state", "last_seen_at"])
      .where("id", "=", home.lock.deviceId)
      .executeTakeFirstOrThrow();

  /** The lock unlocks and locks again on the server's signed commands; returns the signed "unlocked" state. */
  async function unlockAndRelock(): Promise<StateMessage> {
    const from = captured.length;
    expect((await (await server.ctx.commands.send(home.lock.deviceId, "unlock")).outcome).status).toBe("succeeded");
    expect((await (await server.ctx.commands.send(home.lock.deviceId, "lock")).outcome).status).toBe("succeeded");
    await until(() => captured.slice(from).some((s) => lockOf(s) === "locked"), 15_000, "the locked state");
    await server.ctx.gateway.idle();
    const unlocked = captured.slice(from).find((s) => lockOf(s) === "unlocked");
    if (!unlocked) throw new Error("the lock never reported itself unlocked");
    return unlocked;
  }

  /** The attacker, with the lock's own MQTT credentials, publishes what it captured. */
  async function replay(...states: StateMessage[]): Promise<void> {
    const { username, password } = home.lock.identity.mqtt;
    const attacker = await connectAsDevice(server.ctx.mqttUrl, { id: username, password });
    attackers.push(attacker);
    const before = server.ctx.gateway.rejectedCount;
    for (const state of states) {
      await attacker.publishAsync(deviceTopic(home.lock.deviceId, "state"), JSON.stringify(state), {
        qos: 1,
        retain: true,
      });
    }
    await until(() => server.ctx.gateway.rejectedCount >= before + states.length, 15_000, "the replays refused");
    await server.ctx.gateway.idle();
    expect(server.ctx.gateway.rejectedCount).toBe(before + states.length);
  }

  it("refuses an unlocked state replayed 220 s later, and a dead lock stays offline and locked", async () => {
    const unlocked = await unlockAndRelock();
    await home.lock.goOffline();
    await untilDeviceOnline(server, home.lock.deviceId, false);
    const before = await readLock();
    expect(JSON.parse(before.reported_state ?? "null")).toMatchObject({ lock: "locked" });

    clock.advance(220_000);
    const refusals: string[] = [];
    const onRejected = (r: { reason: string }) => refusals.push(r.reason);
    server.ctx.gateway.on("rejected", onRejected);
    try {
      await replay(unlocked);
    } finally {
      server.ctx.gateway.off("rejected", onRejected);
    }
    expect(refusals).toEqual([expect.stringMatching(/state/)]);
    expect(await readLock()).toEqual(before);

    await home.lock.goOnline();
    await untilDeviceOnline(server, home.lock.deviceId, true);
  });

  it("refuses an older state replayed right after a newer one, and the newest one again", async () => {
    const unlocked = await unlockAndRelock();
    const newest = captured.at(-1);
    if (!newest) throw new Error("no state captured");
    expect(lockOf(newest)).toBe("locked");
    await home.lock.goOffline();
    await untilDeviceOnline(server, home.lock.deviceId, false);
    const before = await readLock();

    // No time passes: only the order of the states gives the replays away.
    await replay(unlocked, newest);
    expect(await readLock()).toEqual(before);

    await home.lock.goOnline();
    await untilDeviceOnline(server, home.lock.deviceId, true);
  });
});

function lockOf(state: StateMessage): unknown {
  return (state.state as { lock?: unknown }).lock;
}

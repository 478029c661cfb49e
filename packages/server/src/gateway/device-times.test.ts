import { ManualClock, newId } from "@threshold/core";
import { type AckMessage, deviceTopic, type StateMessage, signMessage, type Unsigned } from "@threshold/protocol";
import type { MqttClient } from "mqtt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../test/databases.js";
import { connectAsDevice, insertTestDevice, type TestDevice } from "../test/devices.js";
import { signInAs } from "../test/fixtures.js";
import { startTestServer, type TestServer } from "../test/harness.js";
import { until } from "../test/wait.js";

/**
 * The times device messages carry (hostile finding 2): what the gateway takes and refuses, with
 * messages signed by hand with the device's key and published with its own MQTT credentials.
 */

const SKEW_MS = 30_000; // DEVICE_MAX_CLOCK_SKEW_S's default

function signedState(device: TestDevice, at: number, online = true, lock: "locked" | "unlocked" = "locked") {
  return signMessage<Unsigned<StateMessage>>(
    {
      v: 1,
      deviceId: device.id,
      at,
      online,
      kind: "lock",
      firmware: "1.2.3",
      trustedKid: "k-test",
      state: { lock, door: "closed", battery: 90, autoRelockS: 0, lockedOut: false },
    },
    device.keys.privateKey,
  );
}

describe.each(TEST_DATABASES)("device message times on %s", (database) => {
  let server: TestServer;
  let owner: Awaited<ReturnType<typeof signInAs>>;
  const clock = new ManualClock(Date.now());
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    server = await startTestServer({ database, clock });
    owner = await signInAs(server, "recipient");
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.endAsync(true)));
  });
  afterAll(() => server?.destroy());

  async function connect(device: TestDevice, will?: StateMessage): Promise<MqttClient> {
    const client = await connectAsDevice(server.ctx.mqttUrl, device, will);
    clients.push(client);
    return client;
  }

  const readDevice = (id: string) =>
    server.ctx.db
      .selectFrom("devices")
      .select(["online", "reported_state", "last_seen_at"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();

  /** Publishes each message as the device and returns, in order, whether the gateway took it. */
  async function outcomes(
    client: MqttClient,
    device: TestDevice,
    channel: "state" | "evt" | "ack",
    messages: object[],
  ): Promise<string[]> {
    const seen: string[] = [];
    const onRejected = (r: { topic: string; reason: string }) => {
      if (r.topic === deviceTopic(device.id, channel)) seen.push(`refused: ${r.reason}`);
    };
    const onState = (s: StateMessage) => {
      if (s.deviceId === device.id) seen.push("taken");
    };
    const onEvent = (e: { deviceId: string }) => {
      if (e.deviceId === device.id) seen.push("taken");
    };
    server.ctx.gateway.on("rejected", onRejected);
    server.ctx.gateway.on("deviceState", onState);
    server.ctx.gateway.on("deviceEvent", onEvent);
    try {
      for (const message of messages) {
        const before = seen.length;
        await client.publishAsync(deviceTopic(device.id, channel), JSON.stringify(message), { qos: 1 });
        await until(() => seen.length > before, 15_000, "the gateway's verdict");
      }
      await server.ctx.gateway.idle();
      return seen;
    } finally {
      server.ctx.gateway.off("rejected", onRejected);
      server.ctx.gateway.off("deviceState", onState);
      server.ctx.gateway.off("deviceEvent", onEvent);
    }
  }

  it("takes a first state only within the clock skew of the server's clock, either way", async () => {
    const device = await insertTestDevice(server, owner.id);
    const client = await connect(device);
    const now = clock.now();
    expect(
      await outcomes(client, device, "state", [
        signedState(device, now - SKEW_MS - 1),
        signedState(device, now + SKEW_MS + 1),
      ]),
    ).toEqual([
      "refused: stale state: older than the allowed clock skew",
      "refused: sent from the future: beyond the allowed clock skew",
    ]);
    expect(await readDevice(device.id)).toEqual({ online: 0, reported_state: null, last_seen_at: null });

    expect(await outcomes(client, device, "state", [signedState(device, now - SKEW_MS)])).toEqual(["taken"]);
    expect((await readDevice(device.id)).last_seen_at).toBe(now);
  });

  it("takes only ever newer states: the same one twice, or one signed just before, is a replay", async () => {
    const device = await insertTestDevice(server, owner.id);
    const client = await connect(device);
    const now = clock.now();
    const older = signedState(device, now - 2, true, "unlocked");
    const newer = signedState(device, now - 1);
    expect(await outcomes(client, device, "state", [newer, newer, older])).toEqual([
      "taken",
      "refused: replayed state: not newer than the last accepted state",
      "refused: replayed state: not newer than the last accepted state",
    ]);
    clock.advance(1_000);
    expect(await readDevice(device.id)).toMatchObject({ online: 1, last_seen_at: now });
    expect(JSON.parse((await readDevice(device.id)).reported_state ?? "null")).toMatchObject({ lock: "locked" });
  });

  it("takes the last will of the device's current connection, never a replayed older one", async () => {
    const device = await insertTestDevice(server, owner.id);
    // First connection: its will was signed at connect time, before its state.
    const firstWill = signedState(device, clock.now() - 5, false);
    const first = await connect(device, firstWill);
    expect(await outcomes(first, device, "state", [signedState(device, clock.now() - 4)])).toEqual(["taken"]);
    // The connection dies without a goodbye: the broker publishes the will, and it is taken.
    const died = new Promise<void>((resolve) => server.ctx.gateway.once("deviceState", () => resolve()));
    first.stream.destroy();
    await died;
    await server.ctx.gateway.idle();
    expect((await readDevice(device.id)).online).toBe(0);

    // Second connection, with a will signed when it connected.
    const secondWill = signedState(device, clock.now() - 2, false);
    const second = await connect(device, secondWill);
    expect(await outcomes(second, device, "state", [signedState(device, clock.now() - 1)])).toEqual(["taken"]);
    // The old will, sent again while the device is online, says nothing; nor does a goodbye signed long ago.
    expect(await outcomes(second, device, "state", [firstWill, signedState(device, clock.now() - 4, false)])).toEqual([
      "refused: replayed offline report: from a connection that is over",
      "refused: replayed offline report: from a connection that is over",
    ]);
    expect((await readDevice(device.id)).online).toBe(1);
    // The current connection's own will is still taken when it dies.
    expect(await outcomes(second, device, "state", [secondWill])).toEqual(["taken"]);
    expect((await readDevice(device.id)).online).toBe(0);
  });

  it("stores a late event, and refuses one from beyond the clock skew in the future", async () => {
    const device = await insertTestDevice(server, owner.id);
    const client = await connect(device);
    const event = (at: number, seq: number) =>
      signMessage(
        { v: 1 as const, deviceId: device.id, id: newId("event", at), seq, at, type: "door.opened" as const, data: {} },
        device.keys.privateKey,
      );
    const late = event(clock.now() - 3_600_000, 0);
    const future = event(clock.now() + SKEW_MS + 1, 1);
    expect(await outcomes(client, device, "evt", [late, future])).toEqual([
      "taken",
      "refused: sent from the future: beyond the allowed clock skew",
    ]);
    const stored = await server.ctx.db
      .selectFrom("device_events")
      .select("id")
      .where("device_id", "=", device.id)
      .execute();
    expect(stored.map((row) => row.id)).toEqual([late.id]);
  });

  it("changes nothing with a replayed ack for a closed command, and refuses an ack from the future", async () => {
    const device = await insertTestDevice(server, owner.id);
    const client = await connect(device);
    await client.subscribeAsync(deviceTopic(device.id, "cmd"), { qos: 1 });
    const ackFor = (commandId: string, status: AckMessage["status"], at: number) =>
      signMessage<Unsigned<AckMessage>>({ v: 1, deviceId: device.id, commandId, status, at }, device.keys.privateKey);
    const readCommand = (id: string) =>
      server.ctx.db.selectFrom("commands").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    const auditCount = async (id: string) =>
      (await server.ctx.db.selectFrom("audit_events").select("seq").where("subject_id", "=", id).execute()).length;

    // The lock refuses an unlock; its signed refusal is captured.
    const refused = await server.ctx.commands.send(device.id, "unlock");
    const refusal = ackFor(refused.id, "rejected", clock.now());
    await client.publishAsync(deviceTopic(device.id, "ack"), JSON.stringify(refusal), { qos: 1 });
    expect((await refused.outcome).status).toBe("rejected");
    // A later unlock succeeds.
    const unlocked = await server.ctx.commands.send(device.id, "unlock");
    const success = ackFor(unlocked.id, "succeeded", clock.now());
    await client.publishAsync(deviceTopic(device.id, "ack"), JSON.stringify(success), { qos: 1 });
    expect((await unlocked.outcome).status).toBe("succeeded");
    const rowsBefore = [await readCommand(refused.id), await readCommand(unlocked.id)];
    const auditBefore = [await auditCount(refused.id), await auditCount(unlocked.id)];

    // Replayed later, each ack meets a closed command: nothing changes, nothing is recorded. A fresh
    // state sent after them is handled after them (one device's messages are handled in order).
    clock.advance(60_000);
    for (const ack of [refusal, success]) {
      await client.publishAsync(deviceTopic(device.id, "ack"), JSON.stringify(ack), { qos: 1 });
    }
    expect(await outcomes(client, device, "state", [signedState(device, clock.now())])).toEqual(["taken"]);
    expect([await readCommand(refused.id), await readCommand(unlocked.id)]).toEqual(rowsBefore);
    expect([await auditCount(refused.id), await auditCount(unlocked.id)]).toEqual(auditBefore);

    // An ack whose time is beyond the skew ahead of the server's clock is refused before it reaches a command.
    const open = await server.ctx.commands.send(device.id, "lock", {}, { ttlMs: 20_000 });
    expect(await outcomes(client, device, "ack", [ackFor(open.id, "succeeded", clock.now() + SKEW_MS + 1)])).toEqual([
      "refused: sent from the future: beyond the allowed clock skew",
    ]);
    expect(await readCommand(open.id)).toMatchObject({ completed_at: null, ack: null });
  });
});

describe.each(TEST_DATABASES)("device message times across a restart on %s", (database) => {
  // Two server starts take a while on a busy machine: a longer time limit, nothing retried.
  it("remembers the last accepted state: a replay after a restart is refused", async () => {
    const clock = new ManualClock(Date.now());
    const first = await startTestServer({ database, clock });
    const owner = await signInAs(first, "recipient");
    const device = await insertTestDevice(first, owner.id);
    const readOnline = async (server: TestServer) =>
      (await server.ctx.db.selectFrom("devices").select("online").where("id", "=", device.id).executeTakeFirstOrThrow())
        .online;
    let client = await connectAsDevice(first.ctx.mqttUrl, device);
    const state = signedState(device, clock.now());
    await client.publishAsync(deviceTopic(device.id, "state"), JSON.stringify(state), { qos: 1 });
    await until(async () => (await readOnline(first)) === 1, 15_000, "the state taken");
    await first.ctx.gateway.idle();
    await client.endAsync(true);
    await first.stop();

    clock.advance(1_000);
    const second = await startTestServer({ database, clock, reuse: first });
    try {
      await second.ctx.db.updateTable("devices").set({ online: 0 }).where("id", "=", device.id).execute();
      const refusals: string[] = [];
      second.ctx.gateway.on("rejected", (r) => refusals.push(r.reason));
      client = await connectAsDevice(second.ctx.mqttUrl, device);
      await client.publishAsync(deviceTopic(device.id, "state"), JSON.stringify(state), { qos: 1 });
      await until(() => refusals.length > 0, 15_000, "the replay refused");
      await second.ctx.gateway.idle();
      expect(refusals).toEqual(["replayed state: not newer than the last accepted state"]);
      expect(await readOnline(second)).toBe(0);
      await client.endAsync(true);
    } finally {
      await second.destroy();
    }
  }, 60_000);
});

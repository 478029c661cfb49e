import { newId } from "@threshold/core";
import {
  connectMqtt,
  deviceTopic,
  generateEd25519,
  type StateMessage,
  signMessage,
  type Unsigned,
} from "@threshold/protocol";
import type { MqttClient } from "mqtt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../test/databases.js";
import { connectAsDevice, insertTestDevice, runAckingDevice, type TestDevice } from "../test/devices.js";
import { signInAs } from "../test/fixtures.js";
import { startTestServer, type TestServer } from "../test/harness.js";
import { SteppableClock } from "../test/steppable-clock.js";
import { until } from "../test/wait.js";

const clients: MqttClient[] = [];
function track(client: MqttClient): MqttClient {
  clients.push(client);
  return client;
}

/** Resolves with the CONNACK refusal, or "connected". */
function connectOutcome(url: string, options: Parameters<typeof connectMqtt>[1]): Promise<string> {
  const client = track(connectMqtt(url, { reconnectPeriod: 0, connectTimeout: 5_000, ...options }));
  return new Promise((resolve) => {
    client.once("connect", () => resolve("connected"));
    client.once("error", (err) => resolve(err.message));
    client.once("close", () => resolve("closed"));
  });
}

function lockState(device: TestDevice, overrides: Partial<Unsigned<StateMessage>> = {}, at = Date.now()) {
  return signMessage(
    {
      v: 1 as const,
      deviceId: device.id,
      at,
      online: true,
      kind: "lock" as const,
      firmware: "1.2.3",
      trustedKid: "k-test",
      state: { lock: "locked" as const, door: "closed" as const, battery: 90, autoRelockS: 0, lockedOut: false },
      ...overrides,
    },
    device.keys.privateKey,
  );
}

/** The QoS the broker granted per topic (128 = refused); mqtt.js rejects the whole call when any is refused. */
async function grantedQos(client: MqttClient, topics: string[]): Promise<number[]> {
  try {
    return (await client.subscribeAsync(topics, { qos: 1 })).map((g) => g.qos);
  } catch (err) {
    const packet = (err as { packet?: { granted?: number[] } }).packet;
    if (!packet?.granted) throw err;
    return packet.granted;
  }
}

describe.each(TEST_DATABASES)("device gateway on %s", (database) => {
  let server: TestServer;
  let device: TestDevice;
  let other: TestDevice;

  beforeAll(async () => {
    server = await startTestServer({ database });
    const owner = await signInAs(server, "recipient");
    device = await insertTestDevice(server, owner.id);
    other = await insertTestDevice(server, owner.id);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  });
  afterAll(() => server.destroy());

  const readDevice = (id: string) =>
    server.ctx.db.selectFrom("devices").selectAll().where("id", "=", id).executeTakeFirstOrThrow();

  it("refuses anonymous clients, wrong passwords, borrowed client ids and persistent sessions", async () => {
    const url = server.ctx.mqttUrl;
    expect(await connectOutcome(url, { clientId: "anon" })).toMatch(/Bad username or password/i);
    expect(await connectOutcome(url, { clientId: device.id, username: device.id, password: "wrong" })).toMatch(
      /Bad username or password/i,
    );
    expect(await connectOutcome(url, { clientId: other.id, username: device.id, password: device.password })).toMatch(
      /Bad username or password/i,
    );
    expect(
      await connectOutcome(url, { clientId: device.id, username: device.id, password: device.password, clean: false }),
    ).not.toBe("connected");
    expect(await connectOutcome(url, { clientId: device.id, username: device.id, password: device.password })).toBe(
      "connected",
    );
  });

  it("lets a device subscribe only to its own command topic, never a wildcard", async () => {
    const client = track(await connectAsDevice(server.ctx.mqttUrl, device));
    const granted = await grantedQos(client, [
      deviceTopic(device.id, "cmd"),
      "#",
      "th/v1/d/+/cmd",
      deviceTopic(other.id, "cmd"),
      deviceTopic(device.id, "ack"),
    ]);
    expect(granted).toEqual([1, 128, 128, 128, 128]);
  });

  it("never delivers another device's commands to a device", async () => {
    const spy = track(await connectAsDevice(server.ctx.mqttUrl, device));
    expect(await grantedQos(spy, ["#", deviceTopic(other.id, "cmd")])).toEqual([128, 128]);
    const seen: string[] = [];
    spy.on("message", (topic) => seen.push(topic));
    const target = await runAckingDevice(server, other);
    track(target.client);
    const attempt = await server.ctx.commands.send(other.id, "ping");
    expect((await attempt.outcome).status).toBe("succeeded");
    expect(seen).toEqual([]);
  });

  it("disconnects a device that publishes on another device's topic, and changes nothing", async () => {
    const client = track(await connectAsDevice(server.ctx.mqttUrl, device));
    const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
    client.publish(deviceTopic(other.id, "state"), JSON.stringify(lockState(other)), { qos: 1 });
    await closed;
    expect((await readDevice(other.id)).reported_state).toBeNull();
  });

  it("drops garbage, foreign and forged messages without changing anything", async () => {
    const client = track(await connectAsDevice(server.ctx.mqttUrl, device));
    const before = server.ctx.gateway.rejectedCount;
    const forger = generateEd25519();
    const forged = signMessage({ ...lockState(device), sig: undefined }, forger.privateKey);
    const namesOther = lockState(device, { deviceId: other.id });
    const tampered = { ...lockState(device), firmware: "6.6.6" };
    for (const payload of [
      "not json",
      "{}",
      '{"v":1}',
      JSON.stringify(forged),
      JSON.stringify(namesOther),
      JSON.stringify(tampered),
    ]) {
      await client.publishAsync(deviceTopic(device.id, "state"), payload, { qos: 1 });
    }
    await until(() => server.ctx.gateway.rejectedCount >= before + 6);
    await server.ctx.gateway.idle();
    const row = await readDevice(device.id);
    expect(row.reported_state).toBeNull();
    expect(row.online).toBe(0);
  });

  it("records a device-signed state report and a last will", async () => {
    const client = track(await connectAsDevice(server.ctx.mqttUrl, device));
    await client.publishAsync(deviceTopic(device.id, "state"), JSON.stringify(lockState(device)), {
      qos: 1,
      retain: true,
    });
    await until(async () => (await readDevice(device.id)).online === 1);
    const row = await readDevice(device.id);
    expect(JSON.parse(row.reported_state ?? "null")).toMatchObject({ lock: "locked", door: "closed", battery: 90 });
    expect(row.firmware).toBe("1.2.3");
    await client.publishAsync(deviceTopic(device.id, "state"), JSON.stringify(lockState(device, { online: false })), {
      qos: 1,
    });
    await until(async () => (await readDevice(device.id)).online === 0);
  });

  it("stores a device event once even when the broker delivers it twice", async () => {
    const client = track(await connectAsDevice(server.ctx.mqttUrl, device));
    const event = signMessage(
      {
        v: 1 as const,
        deviceId: device.id,
        id: newId("event"),
        seq: 0,
        at: Date.now(),
        type: "lock.unlocked" as const,
        data: {},
      },
      device.keys.privateKey,
    );
    const announced: string[] = [];
    server.ctx.gateway.on("deviceEvent", (e) => announced.push(e.id));
    await client.publishAsync(deviceTopic(device.id, "evt"), JSON.stringify(event), { qos: 1 });
    await client.publishAsync(deviceTopic(device.id, "evt"), JSON.stringify(event), { qos: 1 });
    await until(() => announced.length >= 1);
    await server.ctx.gateway.idle();
    const rows = await server.ctx.db.selectFrom("device_events").selectAll().where("id", "=", event.id).execute();
    expect(rows).toHaveLength(1);
    expect(announced).toEqual([event.id]);
  });

  // Speed is the benchmark's to judge: `baseline_rtt_p50_ms` in `npm run bench` is the bare round trip
  // through the same sockets, and shows at once if Nagle's algorithm comes back (~88 ms, DESIGN.md §10).
  it("takes a command from created to succeeded on the device's signed ack", async () => {
    const { client } = await runAckingDevice(server, device);
    track(client);
    for (let i = 0; i < 5; i++) {
      const attempt = await server.ctx.commands.send(device.id, "ping");
      const outcome = await attempt.outcome;
      expect(outcome).toMatchObject({ status: "succeeded", ack: { commandId: attempt.id } });
      const row = await server.ctx.db
        .selectFrom("commands")
        .selectAll()
        .where("id", "=", attempt.id)
        .executeTakeFirstOrThrow();
      expect(row.status).toBe("succeeded");
      expect(row.expires_at - row.issued_at).toBeLessThanOrEqual(30_000);
    }
  });

  it("times out a command nobody acknowledges", async () => {
    const { client, received } = await runAckingDevice(server, device, { ack: false });
    track(client);
    const attempt = await server.ctx.commands.send(device.id, "lock", {}, { ttlMs: 300 });
    const outcome = await attempt.outcome;
    expect(outcome).toMatchObject({ status: "timed_out" });
    expect(received).toEqual([attempt.id]);
  });

  // Last: it rotates the server key.
  it("records a device's refusal as rejected, with the device's reason", async () => {
    const { client } = await runAckingDevice(server, device);
    track(client);
    // The device trusts the key it was paired with; after a rotation it has not heard of, it must refuse.
    await server.ctx.keyring.rotate();
    const attempt = await server.ctx.commands.send(device.id, "unlock");
    expect(await attempt.outcome).toMatchObject({ status: "rejected", reason: "unknown_key" });
  });
});

describe.each(TEST_DATABASES)("commands across a server restart on %s", (database) => {
  it("never re-sends a command after a restart; it ends timed_out", async () => {
    const clock = new SteppableClock();
    const first = await startTestServer({ database, clock });
    const owner = await signInAs(first, "recipient");
    const device = await insertTestDevice(first, owner.id);
    const silent = await runAckingDevice(first, device, { ack: false });
    const attempt = await first.ctx.commands.send(device.id, "unlock", {}, { ttlMs: 1_000 });
    await until(() => silent.received.length === 1);
    await silent.client.endAsync(true);
    await first.stop();

    const second = await startTestServer({ database, reuse: first, clock });
    try {
      const listening = await runAckingDevice(second, device);
      // Past expiry plus the ack grace period: whoever sweeps now (this call or the sweeper) closes it.
      clock.advance(2_500);
      await second.ctx.commands.timeOutExpired();
      const row = await second.ctx.db
        .selectFrom("commands")
        .selectAll()
        .where("id", "=", attempt.id)
        .executeTakeFirstOrThrow();
      expect(row.status).toBe("timed_out");
      // The broker delivers in order: a re-sent unlock would have reached the device before this ping.
      const ping = await second.ctx.commands.send(device.id, "ping");
      expect((await ping.outcome).status).toBe("succeeded");
      expect(listening.received).toEqual([ping.id]);
      await listening.client.endAsync(true);
    } finally {
      await second.destroy();
    }
  });

  it("accepts an ack that arrives after the restart but before expiry", async () => {
    const first = await startTestServer({ database });
    const owner = await signInAs(first, "recipient");
    const device = await insertTestDevice(first, owner.id);
    const silent = await runAckingDevice(first, device, { ack: false });
    const attempt = await first.ctx.commands.send(device.id, "lock", {}, { ttlMs: 20_000 });
    await until(() => silent.received.length === 1);
    await silent.client.endAsync(true);
    await first.stop();

    const second = await startTestServer({ database, reuse: first });
    try {
      const client = await connectAsDevice(second.ctx.mqttUrl, device);
      const ack = signMessage(
        { v: 1 as const, deviceId: device.id, commandId: attempt.id, status: "succeeded" as const, at: Date.now() },
        device.keys.privateKey,
      );
      await client.publishAsync(deviceTopic(device.id, "ack"), JSON.stringify(ack), { qos: 1 });
      const read = () =>
        second.ctx.db.selectFrom("commands").select("status").where("id", "=", attempt.id).executeTakeFirstOrThrow();
      await until(async () => (await read()).status === "succeeded");
      await client.endAsync(true);
    } finally {
      await second.destroy();
    }
  });
});

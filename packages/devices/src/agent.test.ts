import { ManualClock, ManualScheduler } from "@threshold/core";
import { connectMqtt, exportPublicKey, generateEd25519, parseState, verifyMessage } from "@threshold/protocol";
import type { Client } from "aedes";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { DeviceIdentity } from "./identity.js";
import { LockAgent } from "./lock-agent.js";
import { TestBench } from "./test-support/bench.js";
import { startBroker, type TestBroker } from "./test-support/broker.js";
import { makeTestDevice } from "./test-support/identities.js";
import { TestGateway } from "./test-support/test-gateway.js";

interface SeenConnect {
  clientId: string;
  username: string | undefined;
  password: string | undefined;
  clean: boolean;
  keepalive: number | undefined;
  will: { topic: string; payload: Buffer; qos: number | undefined; retain: boolean | undefined } | undefined;
}

let broker: TestBroker;
let bench: TestBench;
const connects: SeenConnect[] = [];
/** Broker-side connections by client id, so a test can cut one as a network failure would. */
const connections = new Map<string, Client>();
const refusedPassword = "wrong-password";

beforeAll(async () => {
  broker = await startBroker({
    preConnect: (_client, packet, done) => {
      connects.push({
        clientId: packet.clientId,
        username: packet.username,
        password: packet.password?.toString(),
        clean: packet.clean ?? false,
        keepalive: packet.keepalive,
        will: packet.will
          ? {
              topic: packet.will.topic,
              payload: Buffer.from(packet.will.payload),
              qos: packet.will.qos,
              retain: packet.will.retain,
            }
          : undefined,
      });
      done(null, true);
    },
    authenticate: (_client, _username, password, done) => {
      if (password?.toString() === refusedPassword) {
        done(Object.assign(new Error("bad password"), { returnCode: 4 }), false);
      } else {
        done(null, true);
      }
    },
  });
  broker.broker.on("clientReady", (client) => connections.set(client.id, client));
  bench = new TestBench(broker);
});
afterEach(() => bench.cleanup());
afterAll(() => broker.close());

function cutConnection(deviceId: string): void {
  const connection = connections.get(deviceId);
  if (!connection) throw new Error(`${deviceId} is not connected`);
  connection.conn.destroy();
}

const isOffline = (state: { online: boolean }) => !state.online;

describe("DeviceAgent on the wire", () => {
  it("connects as itself, with a clean session, keepalive 30 and a signed retained last will", async () => {
    const { device } = await bench.lock();
    const { identity } = device;
    const seen = connects.find((connect) => connect.clientId === identity.deviceId);
    expect(seen).toMatchObject({
      username: identity.deviceId,
      password: identity.mqtt.password,
      clean: true,
      keepalive: 30,
      will: { topic: `th/v1/d/${identity.deviceId}/state`, qos: 1, retain: true },
    });
    const will = parseState(seen?.will?.payload ?? "");
    if (!will.ok) throw new Error(will.error);
    expect(will.message).toMatchObject({ online: false, deviceId: identity.deviceId, trustedKid: "k1" });
    expect(verifyMessage(will.message, device.devicePublicKey)).toBe(true);
  });

  it("makes the broker publish its retained offline state when its connection dies", async () => {
    const { device, gateway } = await bench.lock({ reconnectPeriodMs: 60_000 });
    cutConnection(device.identity.deviceId);
    const will = await gateway.waitForState(isOffline);
    expect(will.state).toMatchObject({ lock: "locked" });
    // Someone subscribing afterwards still learns the device is offline: the will was retained.
    const latecomer = await TestGateway.connect(broker.url, device);
    bench.defer(() => latecomer.close());
    const retained = await latecomer.waitForState(isOffline);
    expect(retained.at).toBe(will.at);
    expect(latecomer.problems).toEqual([]);
  });

  it("reconnects after a lost connection, resubscribes and announces itself again", async () => {
    const { device, gateway } = await bench.lock({ reconnectPeriodMs: 20 });
    cutConnection(device.identity.deviceId);
    await gateway.waitForState(isOffline);
    await gateway.waitForState((state) => state.online, gateway.states.findIndex(isOffline));
    expect(await gateway.request("ping")).toMatchObject({ status: "succeeded" });
  });

  it("re-sends its state every heartbeatMs", async () => {
    const scheduler = new ManualScheduler(new ManualClock(Date.now()));
    const { gateway } = await bench.lock({ heartbeatMs: 25_000, clock: scheduler.clock, scheduler });
    expect(gateway.states).toHaveLength(1);
    scheduler.advance(24_999);
    scheduler.advance(1);
    await gateway.waitForState(() => gateway.states.length >= 2);
    scheduler.advance(25_000);
    await gateway.waitForState(() => gateway.states.length >= 3);
    expect(gateway.states[2]?.at).toBe((gateway.states[1]?.at ?? 0) + 25_000);
    expect(gateway.states.every((state) => state.online)).toBe(true);
    const times = gateway.states.map((state) => state.at);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  // The server takes a state only if it is newer than the last it took (hostile finding 2, issue 15).
  it("signs every state, will and goodbye with a strictly later time, even on a clock that stands still", async () => {
    const clock = new ManualClock(Date.now());
    const { device, gateway, agent } = await bench.lock({ clock });
    agent.openDoor();
    agent.closeDoor();
    await gateway.waitForState(() => gateway.states.length >= 3);
    await agent.stop();
    await gateway.waitForState(isOffline);
    const will = parseState(connects.findLast((c) => c.clientId === device.identity.deviceId)?.will?.payload ?? "");
    if (!will.ok) throw new Error(will.error);
    const times = [will.message.at, ...gateway.states.map((state) => state.at)];
    expect(times.every((at, i) => i === 0 || at > (times[i - 1] ?? Number.POSITIVE_INFINITY))).toBe(true);
    expect(times[0]).toBe(clock.now());
  });

  it("says it is going offline when stopped, and stops sending", async () => {
    const scheduler = new ManualScheduler(new ManualClock(Date.now()));
    const { gateway, agent } = await bench.lock({ heartbeatMs: 25_000, clock: scheduler.clock, scheduler });
    expect(scheduler.size).toBe(1); // the heartbeat
    await agent.stop();
    const goodbye = await gateway.waitForState(isOffline);
    // No timer is left that could send anything: many heartbeats later, nothing has been sent.
    expect(scheduler.size).toBe(0);
    const count = gateway.states.length;
    scheduler.advance(250_000);
    expect(gateway.states.length).toBe(count);
    expect(goodbye.state).toMatchObject({ lock: "locked" });
    agent.openDoor(); // the simulated world goes on, but nothing is published any more
    expect(gateway.events).toEqual([]);
  });

  it("refuses to start with credentials the broker rejects, and does not keep trying", async () => {
    const device = makeTestDevice("lock", broker.url);
    const identity = { ...device.identity, mqtt: { ...device.identity.mqtt, password: refusedPassword } };
    const agent = new LockAgent({ identity, reconnectPeriodMs: 10, log: () => {} });
    bench.defer(() => agent.stop());
    await expect(agent.start()).rejects.toThrow(/bad username or password/i);
    const attempts = connects.filter((connect) => connect.clientId === identity.deviceId).length;
    // A witness with the same refused password and pause keeps trying: once it has tried twice
    // more, the agent has had the time to try again, had it meant to.
    const witnessId = `witness-${identity.deviceId}`;
    const witness = connectMqtt(broker.url, {
      clientId: witnessId,
      username: identity.mqtt.username,
      password: refusedPassword,
      reconnectPeriod: 10,
      reconnectOnConnackError: true,
    });
    witness.on("error", () => {});
    bench.defer(() => witness.endAsync(true));
    await vi.waitFor(
      () => expect(connects.filter((connect) => connect.clientId === witnessId).length).toBeGreaterThanOrEqual(3),
      { timeout: 10_000, interval: 10 },
    );
    expect(connects.filter((connect) => connect.clientId === identity.deviceId).length).toBe(attempts);
  });

  it("refuses an identity of another kind", () => {
    const device = makeTestDevice("camera", broker.url);
    expect(() => new LockAgent({ identity: device.identity })).toThrow(/is a camera, not a lock/);
  });
});

describe("key rotation", () => {
  it("trusts the new key instead of the old one, persists it and says so", async () => {
    const saved: DeviceIdentity[] = [];
    const newKey = generateEd25519();
    const newPublicKey = exportPublicKey(newKey.publicKey);
    const { gateway, agent } = await bench.lock({ onIdentityChange: (identity) => void saved.push(identity) });

    const rotated = await gateway.request("rotate_key", { params: { newKid: "k2", newPublicKey } });
    expect(rotated).toMatchObject({ status: "succeeded" });
    expect((await gateway.waitForEvent("key.rotated")).data).toEqual({ kid: "k2", previousKid: "k1" });
    await gateway.waitForState((state) => state.trustedKid === "k2");
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ trustedKid: "k2" });
    expect(saved[0]?.serverKeys).toContainEqual({ kid: "k2", publicKey: newPublicKey });
    expect(agent.identity.trustedKid).toBe("k2");

    const byOldKey = await gateway.request("unlock");
    expect(byOldKey).toMatchObject({ status: "rejected", reason: "unknown_key", state: { lock: "locked" } });
    const byNewKey = await gateway.request("unlock", { kid: "k2" }, newKey.privateKey);
    expect(byNewKey).toMatchObject({ status: "succeeded", state: { lock: "unlocked" } });
    expect(gateway.problems).toEqual([]);
  });

  it("keeps the old key when the new identity cannot be saved", async () => {
    const newKey = generateEd25519();
    const { gateway, agent } = await bench.lock({
      onIdentityChange: () => {
        throw new Error("disk full");
      },
    });
    const rotated = await gateway.request("rotate_key", {
      params: { newKid: "k2", newPublicKey: exportPublicKey(newKey.publicKey) },
    });
    expect(rotated).toMatchObject({ status: "failed" });
    expect(agent.identity.trustedKid).toBe("k1");
    expect(await gateway.request("ping")).toMatchObject({ status: "succeeded" });
    expect(gateway.eventsOfType("key.rotated")).toEqual([]);
  });

  it("rejects a rotation that names no new key as malformed", async () => {
    const { gateway, agent } = await bench.lock();
    const rotated = await gateway.request("rotate_key", { params: { newKid: "k2" } });
    expect(rotated).toMatchObject({ status: "rejected", reason: "malformed" });
    expect(agent.identity.trustedKid).toBe("k1");
  });

  it("leaves a last will that names the key it trusts after a rotation", async () => {
    const newKey = generateEd25519();
    const { device, gateway } = await bench.lock({ reconnectPeriodMs: 20 });
    await gateway.request("rotate_key", { params: { newKid: "k2", newPublicKey: exportPublicKey(newKey.publicKey) } });
    // The will of the running connection was fixed before the rotation; the next connection carries the new one.
    cutConnection(device.identity.deviceId);
    const firstWill = gateway.states.length;
    await gateway.waitForState(isOffline, firstWill);
    await gateway.waitForState(
      (state) => state.online,
      gateway.states.findIndex((s, i) => i >= firstWill && !s.online),
    );
    const reconnected = connects.filter((connect) => connect.clientId === device.identity.deviceId).at(-1);
    const will = parseState(reconnected?.will?.payload ?? "");
    expect(will.ok && will.message.trustedKid).toBe("k2");
  });
});

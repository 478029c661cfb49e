import { readFileSync } from "node:fs";
import path from "node:path";
import { ManualClock } from "@threshold/core";
import {
  type AckMessage,
  type CommandMessage,
  CommandVerifier,
  deviceTopic,
  EXAMPLE_IDENTITIES,
  getProtocolExample,
  importPublicKey,
  loadProtocolExamples,
  loadProtocolTestKeys,
  PROTOCOL_DOCS_DIR,
  type ProtocolExample,
  type ProtocolExampleOf,
  parseCommand,
  signMessage,
  type Unsigned,
  verifyMessage,
} from "@threshold/protocol";
import type { MqttClient } from "mqtt";
import { Compile } from "typebox/compile";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../test/databases.js";
import { connectAsDevice, insertTestDevice, type TestDevice } from "../test/devices.js";
import { signInAs } from "../test/fixtures.js";
import { startTestServer, type TestServer } from "../test/harness.js";

/**
 * DESIGN.md section 6: the server runs contract tests against the published protocol examples.
 * The example devices are stored with the examples' own ids and public keys, publish the example
 * files byte for byte, and the gateway must accept and record every one; what the server sends
 * must match the published command schema and verify with the server's published key.
 */

const keys = loadProtocolTestKeys();
const examples = loadProtocolExamples();
const all = [...examples.values()];
const ofKind = <K extends ProtocolExample["kind"]>(kind: K) =>
  all.filter((example): example is ProtocolExampleOf<K> => example.kind === kind);
const unlock = getProtocolExample(examples, "command", "command.unlock").message;

const commandSchema = Compile(
  JSON.parse(readFileSync(path.join(PROTOCOL_DOCS_DIR, "schemas", "command.schema.json"), "utf8")),
);

/** The example with one character of `needle` (which must occur once) changed, so its signature no longer fits. */
function changeOneByte(payload: string, needle: string, replacement: string): string {
  expect(payload.split(needle), `${needle} must occur exactly once`).toHaveLength(2);
  expect(replacement).toHaveLength(needle.length);
  expect([...needle].filter((char, i) => char !== replacement[i])).toHaveLength(1);
  return payload.replace(needle, replacement);
}

async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(TEST_DATABASES)("the server against the protocol examples on %s", (database) => {
  let server: TestServer;
  /** The example lock, camera, garage opener, fridge lock, car and locker bank as stored devices, each connected with its own credentials. */
  const devices = new Map<string, { device: TestDevice; client: MqttClient }>();
  const rejections: { topic: string; reason: string }[] = [];
  // The server's world stands still at the moment the example unlock was issued; an example a device
  // sends is received at the moment it says it was sent (the gateway refuses device times far from its clock).
  const clock = new ManualClock(unlock.issuedAt);
  const receivedWhenSent = (message: { at: number }) => clock.set(message.at);

  beforeAll(async () => {
    server = await startTestServer({ database, clock });
    server.ctx.gateway.on("rejected", (rejection) => rejections.push(rejection));
    const owner = await signInAs(server, "recipient");
    for (const [kind, id] of [
      ["lock", EXAMPLE_IDENTITIES.lockDeviceId],
      ["camera", EXAMPLE_IDENTITIES.cameraDeviceId],
      ["garage_opener", EXAMPLE_IDENTITIES.garageDeviceId],
      ["lock", EXAMPLE_IDENTITIES.fridgeLockDeviceId],
      ["vehicle", EXAMPLE_IDENTITIES.vehicleDeviceId],
      ["locker_controller", EXAMPLE_IDENTITIES.lockerDeviceId],
    ] as const) {
      const key = keys.devices.get(id);
      if (!key) throw new Error(`no published test key for ${id}`);
      const device = await insertTestDevice(server, owner.id, kind, { id, keys: key.pair });
      devices.set(id, { device, client: await connectAsDevice(server.ctx.mqttUrl, device) });
    }
  });
  afterEach(() => clock.set(unlock.issuedAt));
  afterAll(async () => {
    await Promise.all([...devices.values()].map(({ client }) => client.endAsync(true)));
    await server?.destroy();
  });

  const readDevice = (id: string) =>
    server.ctx.db.selectFrom("devices").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const readCommand = (id: string) =>
    server.ctx.db.selectFrom("commands").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const eventRows = (deviceId: string) =>
    server.ctx.db.selectFrom("device_events").selectAll().where("device_id", "=", deviceId).execute();

  function clientOf(deviceId: string): MqttClient {
    const entry = devices.get(deviceId);
    if (!entry) throw new Error(`${deviceId} is not an example device`);
    return entry.client;
  }

  /** Publishes as the device the example is about, on the topic its kind belongs to. */
  async function publish(example: ProtocolExample, payload: string = example.payload): Promise<void> {
    const channel = example.kind === "event" ? "evt" : example.kind;
    if (channel === "command") throw new Error("devices do not publish commands");
    await clientOf(example.message.deviceId).publishAsync(deviceTopic(example.message.deviceId, channel), payload, {
      qos: 1,
      retain: channel === "state",
    });
  }

  /** Waits until `done` or a refusal, then until the gateway has handled everything; returns the refusals since `from`. */
  async function settle(from: number, done: () => Promise<boolean>, what: string) {
    await until(async () => rejections.length > from || (await done()), what);
    await server.ctx.gateway.idle();
    return rejections.slice(from);
  }

  /** Sets a stored command for the example ack to answer, as if the server had sent the example command. */
  async function storeSentCommand(command: CommandMessage): Promise<void> {
    await server.ctx.db.deleteFrom("commands").where("id", "=", command.id).execute();
    await server.ctx.db
      .insertInto("commands")
      .values({
        id: command.id,
        device_id: command.deviceId,
        action: command.action,
        params: JSON.stringify(command.params),
        kid: command.kid,
        issued_at: command.issuedAt,
        expires_at: command.expiresAt,
        status: "created",
        completed_at: null,
        reason: null,
        ack: null,
      })
      .execute();
  }

  it.each(ofKind("state").map((example) => [example.name, example] as const))(
    "accepts %s and records it on the device",
    async (_, example) => {
      const { message } = example;
      const deviceId = message.deviceId;
      // Start from the opposite of what the example reports, so recording it shows.
      await server.ctx.db
        .updateTable("devices")
        .set({
          online: message.online ? 0 : 1,
          reported_state: null,
          firmware: "0.0.0",
          trusted_kid: server.ctx.keyring.currentKid,
          last_seen_at: null,
          // Each example stands alone: no earlier state or will of this device is remembered.
          state_at: null,
          offline_after: null,
        })
        .where("id", "=", deviceId)
        .execute();
      server.ctx.gateway.directory.evict(deviceId);
      receivedWhenSent(message);
      const before = { rejected: server.ctx.gateway.rejectedCount, rejections: rejections.length };
      const announced: string[] = [];
      const onState = (state: { deviceId: string; at: number }) => announced.push(`${state.deviceId}@${state.at}`);
      server.ctx.gateway.on("deviceState", onState);
      try {
        await publish(example);
        const refused = await settle(
          before.rejections,
          async () => (await readDevice(deviceId)).online === (message.online ? 1 : 0),
          `${example.name} to be recorded`,
        );
        expect(refused).toEqual([]);
        expect(server.ctx.gateway.rejectedCount).toBe(before.rejected);
        expect(announced).toEqual([`${deviceId}@${message.at}`]);
      } finally {
        server.ctx.gateway.off("deviceState", onState);
      }

      const row = await readDevice(deviceId);
      if (message.online) {
        expect(row.online).toBe(1);
        expect(JSON.parse(row.reported_state ?? "null")).toEqual(message.state);
        expect(row.firmware).toBe(message.firmware);
        expect(row.trusted_kid).toBe(message.trustedKid);
        expect(row.last_seen_at).toBe(clock.now());
      } else {
        // A last will says only that the device is gone; it changes nothing else.
        expect(row.online).toBe(0);
        expect(row.reported_state).toBeNull();
        expect(row.firmware).toBe("0.0.0");
      }
    },
  );

  it.each(ofKind("event").map((example) => [example.name, example] as const))(
    "accepts %s and stores it as sent",
    async (_, example) => {
      const { message } = example;
      receivedWhenSent(message);
      const before = { rejected: server.ctx.gateway.rejectedCount, rejections: rejections.length };
      expect((await eventRows(message.deviceId)).filter((row) => row.id === message.id)).toEqual([]);
      const announced: string[] = [];
      const onEvent = (event: { id: string }) => announced.push(event.id);
      server.ctx.gateway.on("deviceEvent", onEvent);
      try {
        await publish(example);
        const refused = await settle(
          before.rejections,
          async () => (await eventRows(message.deviceId)).some((row) => row.id === message.id),
          `${example.name} to be stored`,
        );
        expect(refused).toEqual([]);
        expect(server.ctx.gateway.rejectedCount).toBe(before.rejected);
        expect(announced).toEqual([message.id]);
      } finally {
        server.ctx.gateway.off("deviceEvent", onEvent);
      }

      const rows = (await eventRows(message.deviceId)).filter((row) => row.id === message.id);
      expect(rows).toHaveLength(1);
      const [row] = rows;
      expect(row).toMatchObject({
        device_id: message.deviceId,
        seq: message.seq,
        type: message.type,
        at: message.at,
        received_at: clock.now(),
      });
      expect(JSON.parse(row?.data ?? "null")).toEqual(message.data);
      // Stored byte for byte, so the device's signature can be checked again later.
      expect(row?.message).toBe(example.payload);
    },
  );

  it.each(ofKind("ack").map((example) => [example.name, example] as const))(
    "applies %s to the command it answers",
    async (_, example) => {
      const ack = example.message;
      const command = ofKind("command").find(({ message }) => message.id === ack.commandId)?.message;
      if (!command) throw new Error(`${example.name} answers no example command`);
      await storeSentCommand(command);
      receivedWhenSent(ack);
      const before = { rejected: server.ctx.gateway.rejectedCount, rejections: rejections.length };
      await publish(example);
      const refused = await settle(
        before.rejections,
        async () => (await readCommand(command.id)).status !== "created",
        `${example.name} to close ${command.id}`,
      );
      expect(refused).toEqual([]);
      expect(server.ctx.gateway.rejectedCount).toBe(before.rejected);
      const row = await readCommand(command.id);
      expect(row.status).toBe(ack.status);
      expect(row.reason).toBe(ack.reason ?? null);
      expect(row.completed_at).toBe(clock.now());
      expect(JSON.parse(row.ack ?? "null")).toEqual(ack);
    },
  );

  describe("refuses an example with one byte changed inside a signed field", () => {
    it("a state report: the device row stays as it was", async () => {
      const example = getProtocolExample(examples, "state", "state.lock");
      const tampered = changeOneByte(example.payload, '"battery": 87', '"battery": 81');
      await server.ctx.db
        .updateTable("devices")
        .set({ online: 0, reported_state: null, firmware: "0.0.0", last_seen_at: null })
        .where("id", "=", example.message.deviceId)
        .execute();
      const rowBefore = await readDevice(example.message.deviceId);
      const before = { rejected: server.ctx.gateway.rejectedCount, rejections: rejections.length };
      await publish(example, tampered);
      const refused = await settle(before.rejections, async () => false, "the tampered state to be refused");
      expect(refused).toEqual([
        { topic: deviceTopic(example.message.deviceId, "state"), reason: "bad device signature" },
      ]);
      expect(server.ctx.gateway.rejectedCount).toBe(before.rejected + 1);
      expect(await readDevice(example.message.deviceId)).toEqual(rowBefore);
    });

    it("an event: nothing is stored", async () => {
      const example = getProtocolExample(examples, "event", "event.door.opened");
      const { id, deviceId } = example.message;
      const otherId = `${id.slice(0, -1)}${id.endsWith("0") ? "1" : "0"}`;
      const tampered = changeOneByte(example.payload, `"id": "${id}"`, `"id": "${otherId}"`);
      const rowsBefore = await eventRows(deviceId);
      const before = { rejected: server.ctx.gateway.rejectedCount, rejections: rejections.length };
      await publish(example, tampered);
      const refused = await settle(before.rejections, async () => false, "the tampered event to be refused");
      expect(refused).toEqual([{ topic: deviceTopic(deviceId, "evt"), reason: "bad device signature" }]);
      expect(server.ctx.gateway.rejectedCount).toBe(before.rejected + 1);
      expect(await eventRows(deviceId)).toEqual(rowsBefore);
      expect(rowsBefore.some((row) => row.id === otherId)).toBe(false);
    });

    it("an ack: the command stays open", async () => {
      const example = getProtocolExample(examples, "ack", "ack.succeeded");
      const command = getProtocolExample(examples, "command", "command.unlock").message;
      await storeSentCommand(command);
      const at = String(example.message.at);
      const otherAt = `${at.slice(0, -1)}${at.endsWith("1") ? "2" : "1"}`;
      const tampered = changeOneByte(example.payload, `"at": ${at}`, `"at": ${otherAt}`);
      const before = { rejected: server.ctx.gateway.rejectedCount, rejections: rejections.length };
      await publish(example, tampered);
      const refused = await settle(before.rejections, async () => false, "the tampered ack to be refused");
      expect(refused).toEqual([
        { topic: deviceTopic(example.message.deviceId, "ack"), reason: "bad device signature" },
      ]);
      expect(server.ctx.gateway.rejectedCount).toBe(before.rejected + 1);
      expect(await readCommand(command.id)).toMatchObject({ status: "created", reason: null, ack: null });
      // The untouched example still closes it: the refusal was the changed byte, nothing else.
      await publish(example);
      await settle(rejections.length, async () => (await readCommand(command.id)).status !== "created", "the ack");
      expect((await readCommand(command.id)).status).toBe("succeeded");
    });
  });

  it("sends commands that match the published command schema and verify with its published key", async () => {
    const deviceId = EXAMPLE_IDENTITIES.lockDeviceId;
    const { device, client } = devices.get(deviceId) ?? {};
    if (!device || !client) throw new Error("the example lock is not connected");
    const received: { payload: string; qos: number; retain: boolean }[] = [];
    const onMessage = (_topic: string, payload: Buffer, packet: { qos: number; retain: boolean }) =>
      received.push({ payload: payload.toString(), qos: packet.qos, retain: packet.retain });
    client.on("message", onMessage);
    try {
      await client.subscribeAsync(deviceTopic(deviceId, "cmd"), { qos: 1 });

      const attempt = await server.ctx.commands.send(deviceId, "unlock", unlock.params);
      await until(
        () => received.some(({ payload }) => payload.includes(attempt.id)),
        `command ${attempt.id} on the cmd topic`,
      );
      const delivery = received.find(({ payload }) => payload.includes(attempt.id));
      if (!delivery) throw new Error("unreachable");
      expect({ qos: delivery.qos, retain: delivery.retain }).toEqual({ qos: 1, retain: false });

      const json: unknown = JSON.parse(delivery.payload);
      expect([...commandSchema.Errors(json)]).toEqual([]);
      expect(commandSchema.Check(json)).toBe(true);
      const parsed = parseCommand(delivery.payload);
      if (!parsed.ok) throw new Error(`the server sent a command its own parser refuses: ${parsed.error}`);
      const command = parsed.message;
      expect(command).toMatchObject({
        v: 1,
        id: attempt.id,
        deviceId,
        action: "unlock",
        params: unlock.params,
        issuedAt: clock.now(),
      });

      // The key a device (or anyone) learns from the public key list, found by the command's kid.
      const res = await fetch(`${server.url}/v1/keys`);
      expect(res.status).toBe(200);
      const { keys: published } = (await res.json()) as { keys: { kid: string; publicKey: string }[] };
      const key = published.find(({ kid }) => kid === command.kid);
      expect(key, `no published key ${command.kid}`).toBeDefined();
      if (!key) return;
      const publicKey = importPublicKey(key.publicKey);
      expect(verifyMessage(command, publicKey)).toBe(true);
      const altered: CommandMessage = { ...command, action: "lock" };
      expect(verifyMessage(altered, publicKey)).toBe(false);
      // And a device holding that key, with its clock at the server's, accepts it.
      const verifier = new CommandVerifier(deviceId, () => new Map([[command.kid, publicKey]]), clock);
      expect(verifier.verify(delivery.payload)).toEqual({ ok: true, command });

      // The example lock answers with its own key, and the command ends as the ack says.
      const ack = signMessage<Unsigned<AckMessage>>(
        { v: 1, deviceId, commandId: command.id, status: "succeeded", at: clock.now() },
        device.keys.privateKey,
      );
      await client.publishAsync(deviceTopic(deviceId, "ack"), JSON.stringify(ack), { qos: 1 });
      expect(await attempt.outcome).toMatchObject({ status: "succeeded", ack });
    } finally {
      client.off("message", onMessage);
    }
  });
});

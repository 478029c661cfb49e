import { type DeviceKind, newId, randomSecret } from "@threshold/core";
import {
  CommandVerifier,
  connectMqtt,
  deviceTopic,
  type Ed25519KeyPair,
  exportPublicKey,
  generateEd25519,
  importPublicKey,
  signMessage,
  waitForConnect,
} from "@threshold/protocol";
import type { MqttClient } from "mqtt";
import { hashSecret } from "../modules/auth/tokens.js";
import type { ServerHandle } from "../server.js";

export interface TestDevice {
  id: string;
  siteId: string;
  password: string;
  keys: Ed25519KeyPair;
}

/**
 * Stores a site and a paired device directly, for gateway tests that need a device but not the pairing flow.
 * `given` fixes the device's id and key pair (e.g. the published protocol example device); both are new otherwise.
 */
export async function insertTestDevice(
  server: Pick<ServerHandle, "ctx">,
  ownerId: string,
  kind: DeviceKind = "lock",
  given?: { id: string; keys: Ed25519KeyPair },
): Promise<TestDevice> {
  const { db, clock, keyring } = server.ctx;
  const now = clock.now();
  const siteId = newId("site", now);
  await db
    .insertInto("sites")
    .values({
      id: siteId,
      owner_id: ownerId,
      name: "Test home",
      address_line1: "1 Test Street",
      address_line2: null,
      city: "Testville",
      postal_code: "00000",
      country: "NL",
      lat: 52.37,
      lng: 4.89,
      geofence_radius_m: 150,
      created_at: now,
    })
    .execute();
  const id = given?.id ?? newId("device", now);
  const password = randomSecret(32);
  const keys = given?.keys ?? generateEd25519();
  await db
    .insertInto("devices")
    .values({
      id,
      site_id: siteId,
      owner_id: ownerId,
      kind,
      name: `Test ${kind}`,
      model: "test",
      firmware: "1.0.0",
      public_key: exportPublicKey(keys.publicKey),
      secret_hash: hashSecret(password),
      trusted_kid: keyring.currentKid,
      reported_state: null,
      online: 0,
      last_seen_at: null,
      paired_at: now,
      removed_at: null,
    })
    .execute();
  return { id, siteId, password, keys };
}

/** Connects as a device with its own credentials; `will` is the signed offline state the broker keeps as its last will. */
export async function connectAsDevice(
  url: string,
  device: Pick<TestDevice, "id" | "password">,
  will?: object,
): Promise<MqttClient> {
  const client = connectMqtt(url, {
    clientId: device.id,
    username: device.id,
    password: device.password,
    clean: true,
    reconnectPeriod: 0,
    ...(will
      ? {
          will: {
            topic: deviceTopic(device.id, "state"),
            payload: Buffer.from(JSON.stringify(will)),
            qos: 1,
            retain: true,
          },
        }
      : {}),
  });
  await waitForConnect(client);
  return client;
}

/**
 * A minimal hand-written device for gateway tests: verifies commands like a real device and
 * acknowledges them (or not), signing with its own key.
 */
export async function runAckingDevice(
  server: Pick<ServerHandle, "ctx">,
  device: TestDevice,
  options: { ack?: boolean } = {},
): Promise<{ client: MqttClient; received: string[] }> {
  const client = await connectAsDevice(server.ctx.mqttUrl, device);
  const keys = new Map(server.ctx.keyring.trustedByDevices().map((k) => [k.kid, importPublicKey(k.publicKey)]));
  const verifier = new CommandVerifier(device.id, () => keys, server.ctx.clock);
  const received: string[] = [];
  client.on("message", (_topic, payload) => {
    const verdict = verifier.verify(payload);
    received.push(verdict.ok ? verdict.command.id : `rejected:${verdict.reason}`);
    const commandId = verdict.ok ? verdict.command.id : verdict.commandId;
    if (options.ack === false || !commandId) return;
    const ack = signMessage(
      {
        v: 1 as const,
        deviceId: device.id,
        commandId,
        status: verdict.ok ? ("succeeded" as const) : ("rejected" as const),
        ...(verdict.ok ? {} : { reason: verdict.reason }),
        at: server.ctx.clock.now(),
      },
      device.keys.privateKey,
    );
    client.publish(deviceTopic(device.id, "ack"), JSON.stringify(ack), { qos: 1 });
  });
  await client.subscribeAsync(deviceTopic(device.id, "cmd"), { qos: 1 });
  return { client, received };
}

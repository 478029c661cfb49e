import { newId, randomSecret } from "@threshold/core";
import type { DeviceIdentity } from "@threshold/devices";
import { exportPrivateKeyPem, exportPublicKey, generateEd25519 } from "@threshold/protocol";
import type { ServerHandle } from "@threshold/server";
import type { Insertable, Kysely } from "kysely";
import type { Database } from "../packages/server/src/db/schema.js";
// The server's own token helpers (as test/fixtures.ts uses them), so sessions and device secrets
// are stored exactly as the server checks them.
import { hashSecret, newSessionToken, SESSION_COOKIE } from "../packages/server/src/modules/auth/tokens.js";
import type { CourierPlan, Stop } from "./lib.js";

/**
 * Seeds the benchmark's world directly in storage, in a few batched transactions: homes (a
 * recipient, a site, a lock, a camera, a front door linking them, in-home consent every day all
 * day), one carrier with couriers signed in, and assigned in-home shipments. Each courier serves
 * its own homes (home i belongs to courier i mod C), so no two couriers ever want the same door.
 */

type Ctx = ServerHandle["ctx"];

export interface Home {
  siteId: string;
  recipientId: string;
  lat: number;
  lng: number;
}

export interface Courier {
  id: string;
  cookie: string;
  /** Indexes into World.homes. */
  homes: number[];
  /** How many shipments were seeded for this courier so far (names tracking numbers). */
  shipments: number;
}

export interface World {
  carrierId: string;
  homes: Home[];
  couriers: Courier[];
  /** Lock and camera identities, as a paired agent would hold them. */
  devices: DeviceIdentity[];
  /** An extra lock-kind device, on a site of its own, for the bare MQTT round trip. */
  baseline: DeviceIdentity;
}

const CHUNK = 400;

/** Inserts rows in chunks (one statement per chunk; SQLite caps a statement's parameters). */
export async function insertChunks<T extends keyof Database & string>(
  db: Kysely<Database>,
  table: T,
  rows: Insertable<Database[T]>[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    // Kysely cannot relate a generic table name to its row type; the parameter types say it.
    await db
      .insertInto(table)
      .values(rows.slice(i, i + CHUNK) as never)
      .execute();
  }
}

/** A bench site (a home or a building) on the grid. */
export function siteRow(
  id: string,
  ownerId: string,
  lat: number,
  lng: number,
  now: number,
  place: { name: string; geofenceRadiusM: number } = { name: "Bench home", geofenceRadiusM: 150 },
): Database["sites"] {
  return {
    id,
    owner_id: ownerId,
    name: place.name,
    address_line1: "1 Bench Street",
    address_line2: null,
    city: "Amsterdam",
    postal_code: "1012 AB",
    country: "NL",
    lat,
    lng,
    geofence_radius_m: place.geofenceRadiusM,
    created_at: now,
    access_blocked_at: null,
  };
}

/** A bench user; nobody signs in with a password here, sessions are stored directly. */
export function benchUser(role: string, carrier: string | null, n: number | string, now: number): Database["users"] {
  return {
    id: newId("user", now),
    email: `bench-${role}-${n}@example.test`,
    name: `Bench ${role} ${n}`,
    role,
    password_hash: "bench-no-password-login",
    carrier_id: carrier,
    created_at: now,
    disabled_at: null,
  };
}

/** Who a seeded device trusts and where it connects: the same for every device of a run. */
export interface DeviceTrust {
  serverKeys: DeviceIdentity["serverKeys"];
  trustedKid: string;
  brokerUrl: string;
  now: number;
}

/**
 * A paired device as storage holds it, with the identity its agent runs with: a fresh key pair,
 * MQTT secret and, when given, the pairing secret (`offlineSecret`, already sealed for the row).
 */
export function benchDevice(
  trust: DeviceTrust,
  device: { siteId: string; ownerId: string; kind: DeviceIdentity["kind"]; name: string },
  offlineSecret?: { raw: Buffer; sealed: (deviceId: string) => string },
): { row: Database["devices"]; identity: DeviceIdentity } {
  const keys = generateEd25519();
  const id = newId("device", trust.now);
  const password = randomSecret(32);
  const publicKey = exportPublicKey(keys.publicKey);
  return {
    row: {
      id,
      site_id: device.siteId,
      owner_id: device.ownerId,
      kind: device.kind,
      name: device.name,
      model: `bench-${device.kind}`,
      firmware: "1.0.0",
      public_key: publicKey,
      secret_hash: hashSecret(password),
      trusted_kid: trust.trustedKid,
      reported_state: null,
      online: 0,
      last_seen_at: null,
      paired_at: trust.now,
      removed_at: null,
      ...(offlineSecret ? { offline_secret: offlineSecret.sealed(id) } : {}),
    },
    identity: {
      deviceId: id,
      kind: device.kind,
      name: device.name,
      privateKeyPem: exportPrivateKeyPem(keys.privateKey),
      publicKey,
      mqtt: { url: trust.brokerUrl, username: id, password },
      serverKeys: trust.serverKeys,
      trustedKid: trust.trustedKid,
      ...(offlineSecret ? { offlineSecret: offlineSecret.raw.toString("base64url") } : {}),
    },
  };
}

export async function seedWorld(
  ctx: Ctx,
  options: { homes: number; couriers: number; brokerUrl: string },
): Promise<World> {
  const { db, clock, keyring, config } = ctx;
  const now = clock.now();
  const serverKeys = keyring.trustedByDevices();
  const trustedKid = keyring.currentKid;
  const carrierId = newId("carrier", now);

  const users: Database["users"][] = [];
  const sessions: Database["sessions"][] = [];
  const sites: Database["sites"][] = [];
  const devices: Database["devices"][] = [];
  const accessPoints: Database["access_points"][] = [];
  const cameras: Database["access_point_cameras"][] = [];
  const consents: Database["consents"][] = [];
  const identities: DeviceIdentity[] = [];
  const homes: Home[] = [];

  const trust: DeviceTrust = { serverKeys, trustedKid, brokerUrl: options.brokerUrl, now };
  const user = (role: string, carrier: string | null, n: number) => benchUser(role, carrier, n, now);
  const device = (siteId: string, ownerId: string, kind: "lock" | "camera", name: string) => {
    const { row, identity } = benchDevice(trust, { siteId, ownerId, kind, name });
    devices.push(row);
    return identity;
  };

  for (let i = 0; i < options.homes; i++) {
    const recipient = user("recipient", null, i);
    users.push(recipient);
    // Spread over a grid ~100 m apart: every home has its own geofence.
    const lat = 52.3 + Math.floor(i / 100) * 0.001;
    const lng = 4.8 + (i % 100) * 0.0015;
    const siteId = newId("site", now);
    sites.push(siteRow(siteId, recipient.id, lat, lng, now));
    const lock = device(siteId, recipient.id, "lock", `Lock ${i}`);
    const camera = device(siteId, recipient.id, "camera", `Camera ${i}`);
    identities.push(lock, camera);
    const accessPointId = newId("accessPoint", now);
    accessPoints.push({
      id: accessPointId,
      site_id: siteId,
      kind: "front_door",
      name: "Front door",
      actuator_device_id: lock.deviceId,
      created_at: now,
      removed_at: null,
    });
    cameras.push({ access_point_id: accessPointId, device_id: camera.deviceId });
    consents.push({
      access_point_id: accessPointId,
      site_id: siteId,
      methods: JSON.stringify(["in_home"]),
      days: JSON.stringify([1, 2, 3, 4, 5, 6, 7]),
      from_minute: 0,
      to_minute: 1440,
      timezone: "Europe/Amsterdam",
      notes: "Bench home.",
      updated_at: now,
    });
    homes.push({ siteId, recipientId: recipient.id, lat, lng });
  }

  // The baseline device lives on a site of its own, owned by the first recipient.
  const baselineSite = newId("site", now);
  sites.push(siteRow(baselineSite, (users[0] as Database["users"]).id, 52.2, 4.7, now));
  const baseline = device(baselineSite, (users[0] as Database["users"]).id, "lock", "Baseline echo");

  const couriers: Courier[] = [];
  for (let c = 0; c < options.couriers; c++) {
    const courier = user("courier", carrierId, c);
    users.push(courier);
    const token = newSessionToken();
    sessions.push({
      token_hash: hashSecret(token),
      user_id: courier.id,
      created_at: now,
      expires_at: now + config.sessionTtlMs,
      ip: "127.0.0.1",
      user_agent: "bench",
    });
    const mine: number[] = [];
    for (let h = c; h < options.homes; h += options.couriers) mine.push(h);
    couriers.push({ id: courier.id, cookie: `${SESSION_COOKIE}=${token}`, homes: mine, shipments: 0 });
  }

  await db.transaction().execute(async (trx) => {
    await trx.insertInto("carriers").values({ id: carrierId, name: "Bench Carrier", created_at: now }).execute();
    await insertChunks(trx, "users", users);
    await insertChunks(trx, "sessions", sessions);
    await insertChunks(trx, "sites", sites);
    await insertChunks(trx, "devices", devices);
    await insertChunks(trx, "access_points", accessPoints);
    await insertChunks(trx, "access_point_cameras", cameras);
    await insertChunks(trx, "consents", consents);
  });
  return { carrierId, homes, couriers, devices: identities, baseline };
}

/**
 * Adds `perCourier` assigned in-home shipments for every courier, cycling over its homes, with a
 * delivery window around now; returns each courier's new stops in order.
 */
export async function seedShipments(ctx: Ctx, world: World, perCourier: number): Promise<CourierPlan[]> {
  const { db, clock } = ctx;
  const now = clock.now();
  const rows: Database["shipments"][] = [];
  const plans: CourierPlan[] = [];
  for (const [c, courier] of world.couriers.entries()) {
    const stops: Stop[] = [];
    for (let k = 0; k < perCourier; k++) {
      const n = courier.shipments++;
      const home = world.homes[courier.homes[n % courier.homes.length] as number] as Home;
      const tracking = `BN${c}X${n}`;
      rows.push({
        id: newId("shipment", now),
        tracking_number: tracking,
        carrier_id: world.carrierId,
        recipient_id: home.recipientId,
        site_id: home.siteId,
        method: "in_home",
        window_start: now - 3_600_000,
        window_end: now + 6 * 3_600_000,
        length_cm: 30,
        width_cm: 20,
        height_cm: 10,
        weight_g: 1200,
        perishable: 0,
        signature_required: 0,
        value_cents: null,
        status: "assigned",
        courier_id: courier.id,
        delivered_at: null,
        delivered_visit_id: null,
        created_at: now,
        updated_at: now,
      });
      // Standing at the door: the site's own position, well inside its geofence.
      stops.push({ tracking, lat: home.lat, lng: home.lng });
    }
    plans.push({ cookie: courier.cookie, stops });
  }
  await db.transaction().execute((trx) => insertChunks(trx, "shipments", rows));
  return plans;
}

/** An operator signed in (a session stored as the server checks it): may watch every camera. Returns the cookie. */
export async function seedOperatorSession(ctx: Ctx): Promise<string> {
  const { db, clock, config } = ctx;
  const now = clock.now();
  const id = newId("user", now);
  const token = newSessionToken();
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto("users")
      .values({
        id,
        email: "bench-operator@example.test",
        name: "Bench operator",
        role: "operator",
        password_hash: "bench-no-password-login",
        carrier_id: null,
        created_at: now,
        disabled_at: null,
      })
      .execute();
    await trx
      .insertInto("sessions")
      .values({
        token_hash: hashSecret(token),
        user_id: id,
        created_at: now,
        expires_at: now + config.sessionTtlMs,
        ip: "127.0.0.1",
        user_agent: "bench",
      })
      .execute();
  });
  return `${SESSION_COOKIE}=${token}`;
}

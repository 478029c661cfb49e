import { type DeviceKind, newId, randomSecret } from "@threshold/core";
import { syntheticMpegTs } from "@threshold/devices";
import {
  contentSha256,
  type Ed25519KeyPair,
  exportPublicKey,
  GENESIS_SEGMENT_HASH,
  generateEd25519,
  segmentChainHash,
  signSegment,
} from "@threshold/protocol";
import { openMediaStore } from "../../../media/index.js";
import type { SignedInUser } from "../../../test/fixtures.js";
import { signInAs } from "../../../test/fixtures.js";
import type { TestServer } from "../../../test/harness.js";
import type { ApiRequest, Json, TestResponse } from "../../../test/http.js";
import { createSite } from "../../../test/pairing.js";
import { hashSecret } from "../../auth/tokens.js";
import { newestSegments } from "../../video/repository.js";
import { uploadSegment } from "../../video/service.js";

/** Test helpers shared by the shipments, consent and courier tests. Excluded from the build (test-support/). */

function expectStatus(res: TestResponse, status: number, what: string): void {
  if (res.status !== status)
    throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
}

export const HOUR = 60 * 60 * 1000;
export const iso = (ms: number) => new Date(ms).toISOString();

export interface Carrier {
  admin: SignedInUser;
  carrierId: string;
  /** An API key with shipments:read and shipments:write. */
  key: string;
  /** An API key with shipments:read only. */
  readKey: string;
  /** An API key with shipments:write only. */
  writeKey: string;
  courier: SignedInUser;
  otherCourier: SignedInUser;
}

export async function createApiKey(request: ApiRequest, admin: SignedInUser, scopes: string[]): Promise<string> {
  const res = await request("POST", "/v1/api-keys", { cookie: admin.cookie, body: { name: "test", scopes } });
  expectStatus(res, 201, "create API key");
  return res.body.key;
}

/** A carrier with its admin, API keys of several scopes and two couriers. */
export async function setUpCarrier(server: TestServer, request: ApiRequest): Promise<Carrier> {
  const admin = await signInAs(server, "carrier_admin");
  const carrierId = admin.carrierId as string;
  return {
    admin,
    carrierId,
    key: await createApiKey(request, admin, ["shipments:read", "shipments:write"]),
    readKey: await createApiKey(request, admin, ["shipments:read"]),
    writeKey: await createApiKey(request, admin, ["shipments:write"]),
    courier: await signInAs(server, "courier", { carrierId }),
    otherCourier: await signInAs(server, "courier", { carrierId }),
  };
}

/** The private keys of the devices insertDevice stored: a camera signs the video sendVideo uploads. */
const deviceKeys = new Map<string, Ed25519KeyPair>();

/** Stores a paired device at a site directly (pairing has tests of its own and a rate limit). */
export async function insertDevice(server: TestServer, owner: SignedInUser, siteId: string, kind: DeviceKind) {
  const { db, clock, keyring } = server.ctx;
  const id = newId("device", clock.now());
  const keys = generateEd25519();
  deviceKeys.set(id, keys);
  await db
    .insertInto("devices")
    .values({
      id,
      site_id: siteId,
      owner_id: owner.id,
      kind,
      name: `Test ${kind}`,
      model: "test",
      firmware: "1.0.0",
      public_key: exportPublicKey(keys.publicKey),
      secret_hash: hashSecret(randomSecret(32)),
      trusted_kid: keyring.currentKid,
      reported_state: null,
      online: 0,
      last_seen_at: null,
      paired_at: clock.now(),
      removed_at: null,
    })
    .execute();
  return id;
}

/** Marks a device connected and heard from now, reporting `state`. */
export async function reportState(server: TestServer, deviceId: string, state: Record<string, unknown>) {
  await server.ctx.db
    .updateTable("devices")
    .set({ online: 1, last_seen_at: server.ctx.clock.now(), reported_state: JSON.stringify(state) })
    .where("id", "=", deviceId)
    .execute();
}

/**
 * The camera uploads one 2 s segment that ended now, linked to its newest one (through the upload
 * service, checks and all): its video is fresh for the next 5 s of the server's clock.
 */
export async function sendVideo(
  server: TestServer,
  cameraId: string,
  /** The camera's keys, for a camera paired through the API; insertDevice's are found by id. */
  keys: Ed25519KeyPair | undefined = deviceKeys.get(cameraId),
): Promise<void> {
  const now = server.ctx.clock.now();
  const [newest] = await newestSegments(server.ctx.db, cameraId, 1);
  const bytes = Buffer.from(syntheticMpegTs(new TextEncoder().encode(`test video ${cameraId} ${now}`), 3));
  const fields = {
    prevHash: newest?.chain_hash ?? GENESIS_SEGMENT_HASH,
    deviceId: cameraId,
    sequence: newest ? Number(newest.sequence) + 1 : 0,
    startedAt: Math.max(now - 2000, newest ? Number(newest.started_at) + Number(newest.duration_ms) : 0),
    durationMs: 2000,
    contentSha256: contentSha256(bytes),
  };
  if (!keys) throw new Error(`sendVideo: ${cameraId} was not stored by insertDevice; pass its keys`);
  const chainHash = segmentChainHash(fields);
  await uploadSegment(server.ctx, openMediaStore(server.ctx.config), {
    ...fields,
    chainHash,
    publicKey: keys.publicKey,
    signature: signSegment({ deviceId: cameraId, chainHash }, keys.privateKey),
    visitId: null,
    bytes,
  });
}

export const LOCKED_CLOSED = { lock: "locked", door: "closed", battery: 90, autoRelockS: 30, lockedOut: false };
export const STREAMING = { recording: false, streaming: true };

/** Every day, 07:00–21:00 in Amsterdam (the test clock starts at 10:00 there). */
export const CONSENT_BODY = {
  methods: ["in_home"],
  days: [1, 2, 3, 4, 5, 6, 7],
  from: "07:00",
  to: "21:00",
  timezone: "Europe/Amsterdam",
  notes: "Dog shut in the kitchen.",
};

export interface Home {
  site: Json;
  lockId: string;
  cameraId: string;
  accessPointId: string;
}

/** A site with a lock and a camera joined into a front door, and (unless told otherwise) in_home consent. */
export async function setUpHome(
  server: TestServer,
  request: ApiRequest,
  owner: SignedInUser,
  options: { consent?: Record<string, unknown> | null; online?: boolean } = {},
): Promise<Home> {
  const site = await createSite(request, owner, "Home");
  const lockId = await insertDevice(server, owner, site.id, "lock");
  const cameraId = await insertDevice(server, owner, site.id, "camera");
  const ap = await request("POST", `/v1/sites/${site.id}/access-points`, {
    cookie: owner.cookie,
    body: { kind: "front_door", name: "Front door", actuatorDeviceId: lockId, cameraDeviceIds: [cameraId] },
  });
  expectStatus(ap, 201, "create access point");
  const consent = options.consent === undefined ? CONSENT_BODY : options.consent;
  if (consent !== null) {
    const res = await request("PUT", `/v1/access-points/${ap.body.id}/consent`, {
      cookie: owner.cookie,
      body: consent,
    });
    expectStatus(res, 200, "set consent");
  }
  if (options.online !== false) {
    await reportState(server, lockId, LOCKED_CLOSED);
    await reportState(server, cameraId, STREAMING);
    await sendVideo(server, cameraId);
  }
  return { site, lockId, cameraId, accessPointId: ap.body.id };
}

let serial = 0;
export function trackingNumber(): string {
  serial += 1;
  return `TH-${Date.now().toString(36).toUpperCase()}-${serial}`;
}

/** A valid create-shipment body: in_home, window from 1 h to 5 h from now. */
export function shipmentBody(server: TestServer, siteId: string, overrides: Record<string, unknown> = {}) {
  const now = server.ctx.clock.now();
  return {
    trackingNumber: trackingNumber(),
    siteId,
    method: "in_home",
    window: { start: iso(now + HOUR), end: iso(now + 5 * HOUR) },
    ...overrides,
  };
}

export async function createShipment(
  server: TestServer,
  request: ApiRequest,
  carrier: Carrier,
  siteId: string,
  overrides: Record<string, unknown> = {},
): Promise<Json> {
  const res = await request("POST", "/v1/shipments", {
    bearer: carrier.key,
    body: shipmentBody(server, siteId, overrides),
  });
  expectStatus(res, 201, "create shipment");
  return res.body;
}

export async function assign(request: ApiRequest, carrier: Carrier, shipmentId: string, courier: SignedInUser) {
  const res = await request("POST", `/v1/shipments/${shipmentId}/assign`, {
    bearer: carrier.key,
    body: { courierId: courier.id },
  });
  expectStatus(res, 200, "assign shipment");
  return res.body;
}

/** Audit events about one subject, oldest first; only types starting with `typePrefix` when given. */
export function auditEventsOf(server: TestServer, subjectId: string, typePrefix?: string) {
  let query = server.ctx.db.selectFrom("audit_events").selectAll().where("subject_id", "=", subjectId);
  if (typePrefix !== undefined) query = query.where("type", "like", `${typePrefix}%`);
  return query.orderBy("seq").execute();
}

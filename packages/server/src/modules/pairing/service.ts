import { randomBytes } from "node:crypto";
import { newId, notFound, OFFLINE_SECRET_BYTES, randomSecret, ThresholdError } from "@threshold/core";
import { actorOf } from "../../audit/actor.js";
import type { AppContext } from "../../context.js";
import { isUniqueViolation } from "../../db/errors.js";
import { toJson } from "../../db/json.js";
import type { Actor } from "../../http/actor.js";
import { foundOrNotFound } from "../../http/ownership.js";
import { addressSubject } from "../auth/login-limiter.js";
import { hashSecret, secretMatches } from "../auth/tokens.js";
import type { Device } from "../devices/index.js";
import { findActiveDevice, insertDevice } from "../devices/repository.js";
import { deviceViews } from "../devices/service.js";
import { deviceSecretContext } from "../keys/secret-box.js";
import { changeableSite, requirePerson } from "../sites/site-access.js";
import { displayPairingCode, newPairingCode, normalisePairingCode } from "./code.js";
import { checkDevicePublicKey } from "./public-key.js";
import { SlidingWindowLimiter } from "./rate-limiter.js";
import {
  deleteExpiredPairingRequests,
  findPairingRequest,
  findPendingByCodeHash,
  insertPairingRequest,
  markCollected,
  markPaired,
} from "./repository.js";
import type { ClaimDeviceBody, CreatePairingRequestBody, PairingTicket, PollResult } from "./schemas.js";

type Ctx = Pick<AppContext, "db" | "clock" | "config" | "keyring" | "mqttUrl" | "audit" | "secrets">;

export const PAIRING_LIMITS = {
  /** Pairing requests need no credentials, so the caller's address is what is limited. */
  requestsPerAddress: 30,
  requestsWindowMs: 60_000,
  /** Wrong codes per user: with 2^40 codes, guessing a live one at this pace is hopeless. */
  failedClaimsPerUser: 10,
  failedClaimsWindowMs: 10 * 60_000,
} as const;

export const POLL_INTERVAL_MS = 1000;

/** An owner may enter the code at its last second; the device then still gets to collect. */
const COLLECT_GRACE_MS = 60_000;
const SWEEP_EVERY_MS = 60_000;

interface DeviceCredentials {
  username: string;
  password: string;
  /** Kept here only until the device collects it; the device row holds it sealed. */
  offlineSecret?: string;
}

/**
 * Pairing, in the style of the OAuth device flow: a device asks for a short code and shows it; its
 * owner enters the code in Threshold, which creates the device; the device, polling with a token
 * only it holds, collects its MQTT credentials exactly once.
 */
export class PairingService {
  private readonly requestsPerAddress: SlidingWindowLimiter;
  private readonly failedClaims: SlidingWindowLimiter;
  private lastSweepAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly ctx: Ctx) {
    this.requestsPerAddress = new SlidingWindowLimiter(
      ctx.clock,
      PAIRING_LIMITS.requestsPerAddress,
      PAIRING_LIMITS.requestsWindowMs,
    );
    this.failedClaims = new SlidingWindowLimiter(
      ctx.clock,
      PAIRING_LIMITS.failedClaimsPerUser,
      PAIRING_LIMITS.failedClaimsWindowMs,
    );
  }

  /** A device asks to be paired. Anyone may ask; nothing is granted until an owner enters the code. */
  async request(clientAddress: string, body: CreatePairingRequestBody): Promise<PairingTicket> {
    this.requestsPerAddress.take(
      addressSubject(clientAddress),
      (retryAt) => `Too many pairing requests from your address; try again after ${retryAt}.`,
    );
    const publicKey = checkDevicePublicKey(body.publicKey);
    const now = this.ctx.clock.now();
    await this.sweep(now);
    const pollToken = randomSecret();
    const expiresAt = now + this.ctx.config.pairingTtlMs;
    for (let attempt = 1; ; attempt++) {
      const id = newId("pairing", now);
      const code = newPairingCode();
      try {
        await insertPairingRequest(this.ctx.db, {
          id,
          code_hash: hashSecret(code),
          poll_token_hash: hashSecret(pollToken),
          kind: body.kind,
          public_key: publicKey,
          model: body.model,
          firmware: body.firmware,
          status: "pending",
          device_id: null,
          credentials: null,
          created_at: now,
          expires_at: expiresAt,
        });
        return {
          id,
          code: displayPairingCode(code),
          pollToken,
          expiresAt: new Date(expiresAt).toISOString(),
          pollIntervalMs: POLL_INTERVAL_MS,
        };
      } catch (error) {
        // A code still on record came up again (1 in 2^40 per live code); draw another.
        if (attempt < 3 && isUniqueViolation(error)) continue;
        throw error;
      }
    }
  }

  /** The site's owner enters the code the device shows; the device is created at that site. */
  async claim(actor: Actor, siteId: string, body: ClaimDeviceBody): Promise<Device> {
    const user = requirePerson(actor, "pair devices");
    const site = await changeableSite(this.ctx.db, user, siteId);
    // Counted before the code is looked up, so parallel guesses cannot pass the limit; withdrawn on success.
    const hit = this.failedClaims.take(
      user.userId,
      (retryAt) => `Too many wrong pairing codes; check the code on the device and try again after ${retryAt}.`,
    );
    const now = this.ctx.clock.now();
    const code = normalisePairingCode(body.pairingCode);
    const request = code === null ? undefined : await findPendingByCodeHash(this.ctx.db, hashSecret(code), now);
    if (!request) throw invalidCode();

    const deviceId = newId("device", now);
    const password = randomSecret(32);
    // Random per device, never derived from anything the device shows (DESIGN.md rule 8).
    const offlineSecret = randomBytes(OFFLINE_SECRET_BYTES);
    const credentials: DeviceCredentials = {
      username: deviceId,
      password,
      offlineSecret: offlineSecret.toString("base64url"),
    };
    const name = body.name.trim();
    const paired = await this.ctx.audit.transaction(async (trx, record) => {
      if (!(await markPaired(trx, request.id, deviceId, toJson(credentials), now))) return false;
      await insertDevice(trx, {
        id: deviceId,
        site_id: site.id,
        owner_id: site.owner_id,
        kind: request.kind,
        name,
        model: request.model,
        firmware: request.firmware,
        public_key: request.public_key,
        secret_hash: hashSecret(password),
        trusted_kid: this.ctx.keyring.currentKid,
        reported_state: null,
        online: 0,
        last_seen_at: null,
        paired_at: now,
        removed_at: null,
        offline_secret: this.ctx.secrets.seal(offlineSecret, deviceSecretContext(deviceId)),
      });
      record({
        type: "device.paired",
        subjectType: "device",
        subjectId: deviceId,
        siteId: site.id,
        actor: actorOf(actor),
        data: {
          kind: request.kind,
          name,
          model: request.model,
          firmware: request.firmware,
          publicKey: request.public_key,
          pairingRequestId: request.id,
        },
      });
      return true;
    });
    // Someone else entered the same code a moment earlier.
    if (!paired) throw invalidCode();
    this.failedClaims.release(hit);
    const [device] = await deviceViews(this.ctx, [
      foundOrNotFound(await findActiveDevice(this.ctx.db, deviceId), "device"),
    ]);
    return device as Device;
  }

  /**
   * The device polls with its token. Wrong token, unknown id, expiry and credentials already
   * collected all look the same (404), so a poll reveals nothing to anyone but the device.
   */
  async poll(requestId: string, pollToken: string): Promise<PollResult> {
    const request = await findPairingRequest(this.ctx.db, requestId);
    if (!request || !secretMatches(pollToken, request.poll_token_hash)) throw notFound("pairing request");
    const now = this.ctx.clock.now();
    if (request.status === "pending" && now < request.expires_at) {
      return { status: "pending", expiresAt: new Date(request.expires_at).toISOString() };
    }
    const { device_id: deviceId, credentials } = request;
    if (request.status !== "paired" || deviceId === null || credentials === null) throw notFound("pairing request");
    if (now >= request.expires_at + COLLECT_GRACE_MS) throw notFound("pairing request");
    // Whoever wins this update hands the credentials out; any concurrent poll gets 404.
    if (!(await markCollected(this.ctx.db, request.id))) throw notFound("pairing request");
    const device = await findActiveDevice(this.ctx.db, deviceId);
    if (!device) throw notFound("pairing request");
    const mqtt = JSON.parse(credentials) as DeviceCredentials;
    return {
      status: "paired",
      device: { id: device.id, siteId: device.site_id, name: device.name },
      mqtt: { url: this.ctx.mqttUrl, username: mqtt.username, password: mqtt.password },
      serverKeys: this.ctx.keyring.trustedByDevices(),
      currentKid: this.ctx.keyring.currentKid,
      ...(mqtt.offlineSecret ? { offlineSecret: mqtt.offlineSecret } : {}),
    };
  }

  /** Expired requests, and credentials nobody collected, are deleted now and then. */
  private async sweep(now: number): Promise<void> {
    if (now - this.lastSweepAt < SWEEP_EVERY_MS && now >= this.lastSweepAt) return;
    this.lastSweepAt = now;
    await deleteExpiredPairingRequests(this.ctx.db, now - COLLECT_GRACE_MS);
  }
}

function invalidCode(): ThresholdError {
  return new ThresholdError(
    "pairing_code_invalid",
    "That pairing code is wrong, expired or already used; check the code on the device, or restart pairing there.",
  );
}

/** A unique-constraint failure, as SQLite (better-sqlite3) and PostgreSQL (pg) report it. */

import { createHash, randomBytes } from "node:crypto";
import {
  type EventType,
  type GuestKeyKind,
  isTimeZone,
  KEYPAD_USER_TYPE_OF,
  newId,
  newKeypadCode,
  notFound,
  ThresholdError,
} from "@threshold/core";
import { type CommandMessage, type EventMessage, sealPin } from "@threshold/protocol";
import type { Transaction } from "kysely";
import { actorOf } from "../../audit/actor.js";
import { type AuditActor, type Record_, SYSTEM_ACTOR } from "../../audit/audit-log.js";
import type { CommandOutcome } from "../../commands/command-service.js";
import type { AppContext } from "../../context.js";
import type { Database } from "../../db/schema.js";
import type { Actor } from "../../http/actor.js";
import { visibleOrNotFound } from "../../http/ownership.js";
import { lockSecret } from "../access-codes/lock-secret.js";
import { findConsent, holdUnblockedSite } from "../consent/repository.js";
import { deviceLiveness, isOnline } from "../devices/index.js";
import { guestKeyPinContext, guestKeyShareContext } from "../keys/secret-box.js";
import { findSiteById } from "../sites/repository.js";
import { canRead, changeableOrNotFound, changeableSite, readableSite, requirePerson } from "../sites/site-access.js";
import {
  accessPointNames,
  findGuestKey,
  findGuestKeyByShareDigest,
  guestKeysOfSite,
  insertGuestKey,
  LIVE_STATUSES,
  livePinsOfLock,
  pausedKeys,
  transitionGuestKey,
  unpausedLiveKeys,
  updateGuestKeys,
} from "./repository.js";
import { credentialOf, endOf, keyRules, NO_END, timeToMinutes } from "./rules.js";
import {
  type CreateGuestKeyBody,
  type GuestKey,
  type GuestKeyRow,
  type GuestKeyStatus,
  PENDING_PAUSE_NOTICE,
  PENDING_REVOCATION_NOTICE,
  type RevocationState,
  type SharedGuestKey,
} from "./schemas.js";

export type GuestKeyCtx = Pick<AppContext, "db" | "audit" | "clock" | "config" | "commands" | "secrets" | "log">;

/** Guest PINs are 6 digits: easy to type, and never the length of a retailer (8) or offline (9) code. */
const GUEST_PIN_LENGTH = 6;
/** A one-time or expiring key must be used first within this long, unless the owner says otherwise. */
const DEFAULT_FIRST_USE_MS = 30 * 24 * 3600_000;
/**
 * How long a command about a key (a removal, a pause, a restore) waits for the lock before the
 * answer says "pending"; the worker keeps trying.
 */
const LOCK_ANSWER_MS = 5_000;
/** Talking to a lock about a key is claimed for this long; a process that dies holding it leaves it to another after that. */
const LOCK_CLAIM_MS = 15_000;
/** Ended in Threshold; the lock is told to forget them until it confirms. */
export const ENDED_STATUSES: GuestKeyStatus[] = ["failed", "used", "expired", "revoked"];

const ENDED_SENTENCES: Partial<Record<GuestKeyStatus, string>> = {
  revoked: "This key was revoked by the person who gave it. Ask them for a new one.",
  used: "This one-time key has been used. Ask the person who gave it for a new one.",
  expired: "This key has expired. Ask the person who gave it for a new one.",
  failed: "This key could not be set on the lock. Ask the person who gave it to try again.",
};

export function shareDigest(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

const idsOf = (rows: readonly GuestKeyRow[]) => rows.map((row) => row.id);

/** What every guest_key.* audit event carries: enough for the owner's live stream. Never the PIN or the link. */
function keyEventData(row: GuestKeyRow) {
  return {
    guestKeyId: row.id,
    name: row.name,
    kind: row.kind,
    accessPointId: row.access_point_id,
    deviceId: row.device_id,
  };
}

/**
 * pin_set for a key: its PIN sealed for its one lock, and its rules. Set again after a pause, an
 * expiring key that was used already keeps the end its first use gave it (the lock would otherwise
 * start the countdown anew).
 */
function pinSetParams(row: GuestKeyRow, pin: string, lockSecret: Buffer): CommandMessage["params"] {
  const credential = credentialOf(row);
  return {
    codeId: row.id,
    pinSealed: sealPin(lockSecret, row.device_id, row.id, pin),
    userType: KEYPAD_USER_TYPE_OF[row.kind as GuestKeyKind],
    validFrom: row.valid_from,
    validUntil: endOf(row),
    ...(credential.schedule ? credential.schedule : {}),
    ...(row.expires_after_use_s === null ? {} : { expiresAfterUseS: row.expires_after_use_s }),
  };
}

/** What the owner must know that the status does not say: a PIN that may still open the door. */
function noticeOf(row: GuestKeyRow, revocation: RevocationState): string | null {
  // A used or expired key no longer opens by the lock's own rules; a revoked one does until the lock hears.
  if (revocation === "pending") return row.status === "revoked" ? PENDING_REVOCATION_NOTICE : null;
  if (revocation === "none" && row.paused_at !== null && row.lock_change === "remove") return PENDING_PAUSE_NOTICE;
  return null;
}

/**
 * Guest keys (docs/guest-keys.md): a recipient gives a PIN to someone, with the rules of one of
 * Matter's user types; the lock holds it and checks it with no network. Threshold programs it,
 * shares it by a link, tells the owner of every use, and takes it off the lock when it ends.
 */
export class GuestKeyService {
  constructor(private readonly ctx: GuestKeyCtx) {}

  async create(actor: Actor, siteId: string, body: CreateGuestKeyBody): Promise<GuestKey> {
    const owner = requirePerson(actor, "give guest keys");
    const site = await changeableSite(this.ctx.db, owner, siteId);
    const point = await this.keyedAccessPoint(site.id, body.accessPointId);
    const now = this.ctx.clock.now();
    const rules = await this.rulesOf(body, point.id, now);
    const id = newId("guestKey", now);
    const pin = await this.freshPin(point.lock.id);
    const token = randomBytes(32).toString("base64url");
    const row: GuestKeyRow = {
      id,
      site_id: site.id,
      access_point_id: point.id,
      device_id: point.lock.id,
      owner_id: site.owner_id,
      name: body.name.trim(),
      kind: body.kind,
      status: "setting",
      pin_sealed: this.ctx.secrets.seal(pin, guestKeyPinContext(id)),
      share_sealed: this.ctx.secrets.seal(token, guestKeyShareContext(id)),
      share_digest: shareDigest(token),
      ...rules,
      use_count: 0,
      first_used_at: null,
      last_used_at: null,
      last_use_event_id: null,
      command_id: null,
      failure_reason: null,
      revoked_at: null,
      removed_from_lock_at: null,
      claimed_until: null,
      paused_at: null,
      lock_change: null,
      created_at: now,
      updated_at: now,
    };
    const staged = await this.ctx.audit.transaction(async (trx, record) => {
      // Checked in the transaction that sets the key, so a block cannot commit in between unseen.
      if (!(await holdUnblockedSite(trx, site.id))) {
        throw new ThresholdError(
          "access_blocked",
          "Access to this place is blocked, and guest keys are paused. Turn off Block all access first, then give the key.",
        );
      }
      await insertGuestKey(trx, row);
      const command = await this.ctx.commands.stage(
        trx,
        record,
        point.lock.id,
        "pin_set",
        pinSetParams(row, pin, point.lock.secret),
        { siteId: site.id },
      );
      await trx.updateTable("guest_keys").set({ command_id: command.id }).where("id", "=", id).execute();
      record(this.event("guest_key.setting", row, actorOf(actor), { commandId: command.id }));
      return command;
    });
    const outcome = await (await staged.publish()).outcome;
    await this.settle(id, outcome);
    return this.answer(await this.reload(id), owner.userId);
  }

  /** The lock's answer to pin_set: active, or failed with the reason (a lock that did not answer, a PIN it refused). */
  async settle(keyId: string, outcome: Pick<CommandOutcome, "status" | "reason">): Promise<void> {
    const now = this.ctx.clock.now();
    const succeeded = outcome.status === "succeeded";
    const reason = succeeded ? null : `${outcome.status}${outcome.reason ? `:${outcome.reason}` : ""}`;
    await this.ctx.audit.transaction(async (trx, record) => {
      const to = succeeded ? "active" : "failed";
      if (!(await transitionGuestKey(trx, keyId, ["setting"], to, { failure_reason: reason, updated_at: now }))) return;
      const row = await findGuestKey(trx, keyId);
      if (row) record(this.event(`guest_key.${to}`, row, SYSTEM_ACTOR, reason ? { reason } : {}));
    });
  }

  async list(actor: Actor, siteId: string): Promise<GuestKey[]> {
    const user = requirePerson(actor, "see guest keys");
    const site = await readableSite(this.ctx.db, user, siteId);
    const rows = await guestKeysOfSite(this.ctx.db, site.id);
    const names = await accessPointNames(this.ctx.db, [...new Set(rows.map((r) => r.access_point_id))]);
    return rows.map((row) => this.toGuestKey(row, names.get(row.access_point_id) ?? "", user.userId));
  }

  async get(actor: Actor, keyId: string): Promise<GuestKey> {
    const user = requirePerson(actor, "see guest keys");
    const row = visibleOrNotFound(
      await findGuestKey(this.ctx.db, keyId),
      (r) => canRead(user, r.owner_id),
      "guest key",
    );
    return this.answer(row, user.userId);
  }

  /**
   * The owner revokes a key: from this moment Threshold treats it as ended, and the lock is told
   * to forget the PIN at once. A lock that is offline, or does not confirm within a few seconds,
   * leaves the revocation `pending` — the PIN still opens the door until the lock confirms — and
   * the worker keeps trying until it does. Revoking again answers the key as it is.
   */
  async revoke(actor: Actor, keyId: string): Promise<GuestKey> {
    const owner = requirePerson(actor, "revoke guest keys");
    const found = changeableOrNotFound(owner, await findGuestKey(this.ctx.db, keyId), (r) => r.owner_id, "guest key");
    const now = this.ctx.clock.now();
    await this.ctx.audit.transaction(async (trx, record) => {
      const from: GuestKeyStatus[] = ["setting", "active", "failed"];
      if (!(await transitionGuestKey(trx, found.id, from, "revoked", { revoked_at: now, updated_at: now }))) return;
      record(this.event("guest_key.revoked", found, actorOf(actor)));
    });
    const revoked = await this.reload(found.id);
    if (!(await this.removeFromLock(revoked))) await this.awaitRemoval(revoked);
    return this.answer(await this.reload(found.id), owner.userId);
  }

  /**
   * Another process's worker may have claimed the removal a moment before this revocation could:
   * while the lock is online, wait as long as a removal of our own would have for its answer.
   */
  private async awaitRemoval(row: GuestKeyRow): Promise<void> {
    if (!(await this.lockOnline(row.device_id))) return;
    const deadline = Date.now() + LOCK_ANSWER_MS;
    while (Date.now() < deadline) {
      if ((await findGuestKey(this.ctx.db, row.id))?.removed_from_lock_at !== null) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private async lockOnline(deviceId: string): Promise<boolean> {
    const lock = await this.ctx.db
      .selectFrom("devices")
      .select(["online", "last_seen_at"])
      .where("id", "=", deviceId)
      .executeTakeFirst();
    return lock !== undefined && isOnline(lock, deviceLiveness(this.ctx));
  }

  /** What the share link shows: the PIN and its rules, while the key can still work. */
  async shared(token: string): Promise<SharedGuestKey> {
    const row = await findGuestKeyByShareDigest(this.ctx.db, shareDigest(token));
    if (!row) throw new ThresholdError("not_found", "This key link is not valid. Check that you copied all of it.");
    const ended = ENDED_SENTENCES[row.status as GuestKeyStatus];
    if (ended) throw new ThresholdError("guest_key_ended", ended, { status: row.status });
    if (row.paused_at !== null) {
      throw new ThresholdError(
        "guest_key_paused",
        "The person who gave you this key has blocked all access for now, so it does not open the door. It works again once they lift the block.",
      );
    }
    const site = await findSiteById(this.ctx.db, row.site_id);
    const door = (await accessPointNames(this.ctx.db, [row.access_point_id])).get(row.access_point_id);
    return {
      name: row.name,
      pin: this.pinOf(row),
      place: [site?.name, door].filter(Boolean).join(" — "),
      ...keyRules(row, this.ctx.clock.now()),
    };
  }

  /**
   * The lock reports a guest key opened the door: counted, and the owner told at once (their live
   * stream). A one-time key is used up; an expiring key's countdown runs from its first use. A use
   * after a revocation the lock had not heard of yet is said plainly.
   */
  async recordUse(event: EventMessage, device: { id: string; site_id: string }): Promise<void> {
    const codeId = typeof event.data.codeId === "string" ? event.data.codeId : "";
    const found = await findGuestKey(this.ctx.db, codeId);
    const actor: AuditActor = { type: "device", id: device.id };
    await this.ctx.audit.transaction(async (trx, record) => {
      if (!found || found.device_id !== device.id) {
        record({
          type: "guest_key.unknown_use",
          subjectType: "device",
          subjectId: device.id,
          siteId: device.site_id,
          actor,
          data: { codeId, eventId: event.id, at: event.at },
        });
        return;
      }
      const row = await findGuestKey(trx, found.id);
      if (!row || row.last_use_event_id === event.id) return; // the lock sent the same report again
      const now = this.ctx.clock.now();
      const usedUp = row.kind === "one_time" && row.status === "active";
      await trx
        .updateTable("guest_keys")
        .set({
          use_count: row.use_count + 1,
          first_used_at: row.first_used_at ?? event.at,
          last_used_at: event.at,
          last_use_event_id: event.id,
          ...(usedUp ? { status: "used" } : {}),
          updated_at: now,
        })
        .where("id", "=", row.id)
        .execute();
      record(
        this.event("guest_key.used", row, actor, {
          eventId: event.id,
          at: event.at,
          useCount: row.use_count + 1,
          afterRevocation: row.status === "revoked",
          // Paused by the block switch, but the lock (offline) had not forgotten the PIN yet.
          whileBlocked: row.paused_at !== null,
        }),
      );
    });
  }

  /**
   * Tells the lock to forget an ended key and waits a few seconds for it; true once confirmed.
   * Claimed first, so one process at a time sends it; an offline lock is not sent to at all.
   */
  async removeFromLock(row: GuestKeyRow): Promise<boolean> {
    if (!ENDED_STATUSES.includes(row.status as GuestKeyStatus) || row.removed_from_lock_at !== null) return false;
    if (!(await this.lockOnline(row.device_id))) return false;
    if (!(await this.claim(row.id))) return false;
    try {
      const attempt = await this.ctx.commands.send(
        row.device_id,
        "pin_remove",
        { codeId: row.id },
        { siteId: row.site_id, ttlMs: LOCK_ANSWER_MS },
      );
      if ((await attempt.outcome).status !== "succeeded") return false;
    } catch (err) {
      this.ctx.log.warn({ err, guestKeyId: row.id }, "pin_remove not sent; retried later");
      return false;
    }
    const done = this.ctx.clock.now();
    return this.ctx.audit.transaction(async (trx, record) => {
      const updated = await trx
        .updateTable("guest_keys")
        // Gone from the lock: a pause's change still owed for it is moot.
        .set({ removed_from_lock_at: done, claimed_until: null, lock_change: null, updated_at: done })
        .where("id", "=", row.id)
        .where("removed_from_lock_at", "is", null)
        .executeTakeFirst();
      if (updated.numUpdatedRows === 0n) return false;
      const current = (await findGuestKey(trx, row.id)) ?? row;
      record(this.event("guest_key.removed_from_lock", current, SYSTEM_ACTOR, { status: current.status }));
      return true;
    });
  }

  /**
   * The block switch pauses every key that may still open a door of the sites it blocks, in the
   * block's own transaction: from that commit Threshold treats them as not working, and each lock
   * is owed a pin_remove (sent by `syncPause` once committed, or by the worker when the lock is back).
   */
  async pause(trx: Transaction<Database>, record: Record_, siteIds: readonly string[], actor: AuditActor) {
    const now = this.ctx.clock.now();
    const rows = await unpausedLiveKeys(trx, siteIds);
    await updateGuestKeys(trx, idsOf(rows), { paused_at: now, lock_change: "remove", updated_at: now });
    for (const row of rows) record(this.event("guest_key.paused", row, actor));
    return idsOf(rows);
  }

  /** Lifting the block: each paused key that has not ended since is owed to its lock again (pin_set). */
  async resume(trx: Transaction<Database>, record: Record_, siteIds: readonly string[], actor: AuditActor) {
    const now = this.ctx.clock.now();
    const rows = await pausedKeys(trx, siteIds);
    const live = rows.filter((row) => LIVE_STATUSES.includes(row.status as GuestKeyStatus));
    // Ended while paused: taking it off the lock is the ended key's own removal.
    const ended = rows.filter((row) => !live.includes(row));
    await updateGuestKeys(trx, idsOf(live), { paused_at: null, lock_change: "restore", updated_at: now });
    await updateGuestKeys(trx, idsOf(ended), { paused_at: null, lock_change: null, updated_at: now });
    for (const row of live) record(this.event("guest_key.resumed", row, actor));
    return idsOf(live);
  }

  /**
   * Tells a paused key's lock to forget its PIN, or a resumed key's lock to take it again, and waits
   * a few seconds for it; true once the lock confirmed. Claimed like a removal, so one process at a
   * time; a key still `setting` waits for its first pin_set to settle.
   */
  async syncPause(row: GuestKeyRow): Promise<boolean> {
    const change = row.lock_change;
    if (change === null || row.status !== "active") return false;
    if (!(await this.lockOnline(row.device_id))) return false;
    if (!(await this.claim(row.id))) return false;
    try {
      const params = change === "remove" ? { codeId: row.id } : await this.restoreParams(row);
      const action = change === "remove" ? "pin_remove" : "pin_set";
      const attempt = await this.ctx.commands.send(row.device_id, action, params, {
        siteId: row.site_id,
        ttlMs: LOCK_ANSWER_MS,
      });
      const outcome = await attempt.outcome;
      if (outcome.status === "failed" || outcome.status === "rejected") {
        // The lock answered and will not take the PIN back (it is full, say): the key failed, as at creation.
        if (change === "restore") await this.failRestore(row, outcome);
        return false;
      }
      if (outcome.status !== "succeeded") return false;
    } catch (err) {
      this.ctx.log.warn({ err, guestKeyId: row.id, change }, "guest key change not sent; retried later");
      return false;
    }
    return this.ctx.audit.transaction(async (trx, record) => {
      const updated = await trx
        .updateTable("guest_keys")
        .set({ lock_change: null, claimed_until: null, updated_at: this.ctx.clock.now() })
        .where("id", "=", row.id)
        .where("lock_change", "=", change)
        .executeTakeFirst();
      if (updated.numUpdatedRows === 0n) {
        // Paused and resumed meanwhile: the other change is still owed, and nobody holds the claim now.
        await trx.updateTable("guest_keys").set({ claimed_until: null }).where("id", "=", row.id).execute();
        return false;
      }
      record(
        this.event("guest_key.lock_updated", row, SYSTEM_ACTOR, { change: change === "remove" ? "removed" : "set" }),
      );
      return true;
    });
  }

  /** `syncPause` for a key by id, as it is now (another process may have moved it meanwhile). */
  async syncPauseOf(keyId: string): Promise<boolean> {
    const row = await findGuestKey(this.ctx.db, keyId);
    return row ? this.syncPause(row) : false;
  }

  /** pin_set for a key set again after a pause: the same PIN, sealed for its lock as it is paired now. */
  private async restoreParams(row: GuestKeyRow): Promise<CommandMessage["params"]> {
    const lock = await this.ctx.db
      .selectFrom("devices")
      .select(["id", "offline_secret"])
      .where("id", "=", row.device_id)
      .where("removed_at", "is", null)
      .executeTakeFirst();
    const secret = lock ? lockSecret(this.ctx, lock) : null;
    if (!secret) throw new ThresholdError("keypad_unavailable", "The key's lock is no longer paired.");
    return pinSetParams(row, this.pinOf(row), secret);
  }

  private async failRestore(row: GuestKeyRow, outcome: Pick<CommandOutcome, "status" | "reason">): Promise<void> {
    const now = this.ctx.clock.now();
    const reason = `${outcome.status}${outcome.reason ? `:${outcome.reason}` : ""}`;
    await this.ctx.audit.transaction(async (trx, record) => {
      const changes = { lock_change: null, claimed_until: null, failure_reason: reason, updated_at: now };
      if (!(await transitionGuestKey(trx, row.id, ["active"], "failed", changes))) return;
      record(this.event("guest_key.failed", row, SYSTEM_ACTOR, { reason }));
    });
  }

  /** One process at a time talks to the lock about a key; one that dies holding the claim leaves it to another. */
  private async claim(keyId: string): Promise<boolean> {
    const now = this.ctx.clock.now();
    const claimed = await this.ctx.db
      .updateTable("guest_keys")
      .set({ claimed_until: now + LOCK_CLAIM_MS })
      .where("id", "=", keyId)
      .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<", now)]))
      .executeTakeFirst();
    return claimed.numUpdatedRows > 0n;
  }

  /** Records a guest_key.* event on the key's site, where its owner's live stream picks it up. */
  event(
    type: EventType,
    row: GuestKeyRow,
    actor: AuditActor,
    data: Record<string, unknown> = {},
  ): Parameters<Record_>[0] {
    return {
      type,
      subjectType: "guest_key",
      subjectId: row.id,
      siteId: row.site_id,
      actor,
      data: { ...keyEventData(row), ...data },
    };
  }

  /** The door the key is for: the one named, or the site's front door; its actuator must be a lock that takes codes. */
  private async keyedAccessPoint(siteId: string, accessPointId: string | undefined) {
    let query = this.ctx.db
      .selectFrom("access_points")
      .innerJoin("devices", "devices.id", "access_points.actuator_device_id")
      .select([
        "access_points.id",
        "access_points.kind",
        "devices.id as deviceId",
        "devices.kind as deviceKind",
        "devices.offline_secret",
        "devices.removed_at as deviceRemovedAt",
      ])
      .where("access_points.site_id", "=", siteId)
      .where("access_points.removed_at", "is", null);
    query = accessPointId
      ? query.where("access_points.id", "=", accessPointId)
      : query.where("access_points.kind", "=", "front_door");
    const point = await query.orderBy("access_points.created_at").executeTakeFirst();
    if (!point) throw notFound(accessPointId ? "access point" : "front door on this site");
    const secret =
      point.deviceKind === "lock" && point.deviceRemovedAt === null
        ? lockSecret(this.ctx, { id: point.deviceId, offline_secret: point.offline_secret })
        : null;
    if (!secret) {
      throw new ThresholdError(
        "keypad_unavailable",
        "This door has no lock that takes Threshold codes; pair a keypad lock to it (or pair it again) first.",
      );
    }
    return { id: point.id, lock: { id: point.deviceId, secret } };
  }

  /** The key's rules as columns, checked against its kind: each kind takes what it needs and nothing else. */
  private async rulesOf(body: CreateGuestKeyBody, accessPointId: string, now: number) {
    const refuse = (message: string) => new ThresholdError("invalid_request", message);
    const kind: GuestKeyKind = body.kind;
    const recurringOnly = [body.weekDays, body.startTime, body.endTime, body.timeZone].some((v) => v !== undefined);
    if (kind !== "recurring" && recurringOnly) {
      throw refuse("weekDays, startTime, endTime and timeZone are for recurring keys only.");
    }
    if (kind !== "expiring" && body.expiresAfterFirstUseMinutes !== undefined) {
      throw refuse("expiresAfterFirstUseMinutes is for expiring keys only.");
    }
    const validFrom = body.validFrom ? Date.parse(body.validFrom) : now;
    const defaultEnd = kind === "one_time" || kind === "expiring" ? now + DEFAULT_FIRST_USE_MS : NO_END;
    if (kind === "temporary" && !body.validUntil) throw refuse("A temporary key needs validUntil.");
    const validUntil = body.validUntil ? Date.parse(body.validUntil) : defaultEnd;
    if (validUntil <= validFrom || validUntil <= now) {
      throw new ThresholdError("invalid_window", "validUntil must be after validFrom and in the future.");
    }
    const columns = {
      valid_from: validFrom,
      valid_until: validUntil,
      week_days: null as string | null,
      start_minute: null as number | null,
      end_minute: null as number | null,
      time_zone: null as string | null,
      expires_after_use_s: null as number | null,
    };
    if (kind === "expiring") {
      if (body.expiresAfterFirstUseMinutes === undefined) {
        throw refuse("An expiring key needs expiresAfterFirstUseMinutes.");
      }
      columns.expires_after_use_s = body.expiresAfterFirstUseMinutes * 60;
    }
    if (kind === "recurring") {
      if (!body.weekDays || !body.startTime || !body.endTime) {
        throw refuse("A recurring key needs weekDays, startTime and endTime.");
      }
      const start = timeToMinutes(body.startTime);
      const end = timeToMinutes(body.endTime);
      if (start >= end)
        throw refuse("endTime must be after startTime on the same day (a schedule cannot cross midnight).");
      const timeZone = body.timeZone ?? (await findConsent(this.ctx.db, accessPointId))?.timezone ?? "UTC";
      if (!isTimeZone(timeZone)) throw refuse(`${timeZone} is not a time zone this server knows (use an IANA name).`);
      Object.assign(columns, {
        week_days: [...body.weekDays].sort().join(","),
        start_minute: start,
        end_minute: end,
        time_zone: timeZone,
      });
    }
    return columns;
  }

  /** A random PIN no other live key of this lock has: the keypad could not tell two apart. */
  private async freshPin(deviceId: string): Promise<string> {
    const taken = new Set(
      (await livePinsOfLock(this.ctx.db, deviceId)).map((r) =>
        this.ctx.secrets.open(r.pin_sealed, guestKeyPinContext(r.id)).toString("utf8"),
      ),
    );
    for (;;) {
      const pin = newKeypadCode(GUEST_PIN_LENGTH);
      if (!taken.has(pin)) return pin;
    }
  }

  private pinOf(row: GuestKeyRow): string {
    return this.ctx.secrets.open(row.pin_sealed, guestKeyPinContext(row.id)).toString("utf8");
  }

  private async reload(id: string): Promise<GuestKeyRow> {
    const row = await findGuestKey(this.ctx.db, id);
    if (!row) throw notFound("guest key");
    return row;
  }

  private async answer(row: GuestKeyRow, viewerId: string): Promise<GuestKey> {
    const names = await accessPointNames(this.ctx.db, [row.access_point_id]);
    return this.toGuestKey(row, names.get(row.access_point_id) ?? "", viewerId);
  }

  /** The owner sees the PIN and the share link; an operator sees the rest. */
  private toGuestKey(row: GuestKeyRow, accessPointName: string, viewerId: string): GuestKey {
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    const ended = ENDED_STATUSES.includes(row.status as GuestKeyStatus);
    const revocation = !ended ? "none" : row.removed_from_lock_at === null ? "pending" : "done";
    const isOwner = row.owner_id === viewerId;
    return {
      id: row.id,
      siteId: row.site_id,
      accessPointId: row.access_point_id,
      accessPointName,
      name: row.name,
      ...keyRules(row, this.ctx.clock.now()),
      ...(isOwner
        ? {
            pin: this.pinOf(row),
            shareUrl: `${this.ctx.config.publicUrl}/k/${this.ctx.secrets.open(row.share_sealed, guestKeyShareContext(row.id)).toString("utf8")}`,
          }
        : {}),
      useCount: row.use_count,
      firstUsedAt: iso(row.first_used_at),
      lastUsedAt: iso(row.last_used_at),
      failureReason: row.failure_reason,
      revokedAt: iso(row.revoked_at),
      revocation,
      paused: !ended && row.paused_at !== null,
      notice: noticeOf(row, revocation),
      createdAt: new Date(row.created_at).toISOString(),
    };
  }
}

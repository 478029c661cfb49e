import {
  newId,
  newKeypadCode,
  notFound,
  OFFLINE_CODE_COUNTERS,
  OFFLINE_CODE_DEFAULT_SKEW_S,
  offlineCode,
  offlineSlotAt,
  offlineSlotBounds,
  ThresholdError,
} from "@threshold/core";
import { sealPin } from "@threshold/protocol";
import { actorOf } from "../../audit/actor.js";
import type { AuditActor } from "../../audit/audit-log.js";
import { SYSTEM_ACTOR } from "../../audit/audit-log.js";
import type { CommandOutcome } from "../../commands/command-service.js";
import type { AppContext } from "../../context.js";
import { isUniqueViolation } from "../../db/errors.js";
import type { Database } from "../../db/schema.js";
import type { Actor } from "../../http/actor.js";
import { isOperator } from "../../http/ownership.js";
import { deviceLiveness, isOnline } from "../devices/index.js";
import { accessCodePinContext } from "../keys/secret-box.js";
import { findFrontDoor } from "../shipments/index.js";
import { findShipmentById } from "../shipments/repository.js";
import { takeCodeOffLock } from "./lock-removal.js";
import { lockSecret } from "./lock-secret.js";
import {
  accessCodesOfShipment,
  findAccessCode,
  findLock,
  insertAccessCode,
  nextOfflineCounter,
  transitionCode,
} from "./repository.js";
import {
  type AccessCode,
  type AccessCodeRow,
  type AccessCodeStatus,
  type RequestAccessCodeBody,
  toAccessCode,
} from "./schemas.js";

export type AccessCodeCtx = Pick<AppContext, "db" | "audit" | "clock" | "config" | "commands" | "secrets" | "log">;

type ShipmentRow = Database["shipments"];

/** What every access_code.* audit event carries: enough for webhooks and live streams to route it. Never the PIN. */
export function codeEventData(row: AccessCodeRow, shipment: Pick<ShipmentRow, "tracking_number" | "courier_id">) {
  return {
    carrierId: row.carrier_id,
    shipmentId: row.shipment_id,
    trackingNumber: shipment.tracking_number,
    courierId: shipment.courier_id,
    accessPointId: row.access_point_id,
    deviceId: row.device_id,
    kind: row.kind,
    validFrom: row.valid_from,
    validUntil: row.valid_until,
  };
}

/**
 * Retailer one-time codes and offline codes (docs/access-codes.md, docs/offline-codes.md). A
 * carrier asks for a code for its own shipment; Threshold makes it, programs it (online) or
 * derives it (offline), and shows the digits to the shipment's assigned courier alone.
 */
export class AccessCodeService {
  constructor(private readonly ctx: AccessCodeCtx) {}

  async request(carrier: { carrierId: string; actor: Actor }, shipmentId: string, body: RequestAccessCodeBody) {
    const shipment = await findShipmentById(this.ctx.db, shipmentId);
    if (!shipment || shipment.carrier_id !== carrier.carrierId) throw notFound("shipment");
    const now = this.ctx.clock.now();
    if (shipment.status !== "assigned" || !shipment.courier_id) {
      throw new ThresholdError(
        "conflict",
        `The shipment is ${shipment.status}; a code is only for a shipment assigned to a courier and not yet delivered.`,
      );
    }
    if (shipment.method !== "in_home") {
      throw new ThresholdError("method_not_suited", "Keypad codes open a front door: only in_home shipments get one.");
    }
    if (shipment.window_end <= now) throw new ThresholdError("window_closed", "The delivery window is over.");
    if (await siteBlocked(this.ctx.db, shipment.site_id)) {
      // A code made now would be a way in the recipient just shut; an offline one could not be taken back.
      throw new ThresholdError(
        "access_blocked",
        "The recipient has blocked all access to this address: no code can be given until they lift the block.",
      );
    }
    const door = await findFrontDoor(this.ctx.db, shipment.site_id);
    const lock = door ? await findLock(this.ctx.db, door.actuatorDeviceId) : undefined;
    const secret = lock ? lockSecret(this.ctx, lock) : null;
    if (!door || !lock || !secret) {
      throw new ThresholdError(
        "keypad_unavailable",
        "The destination's front door has no lock that takes Threshold codes (it must be paired again to get one).",
      );
    }
    const target = { door: door.id, lock: lock.id, secret, actor: actorOf(carrier.actor) };
    if (body.kind === "offline") {
      if (isOnline(lock, deviceLiveness(this.ctx)) && !(await offlineFallbackAllowed(this.ctx.db, door.id))) {
        throw new ThresholdError(
          "lock_online",
          "The lock is online and the recipient has not allowed offline codes as a fallback: ask for a one-time code (kind online), which can be revoked at any moment.",
        );
      }
      return this.issueOffline(shipment, target, body.at ? Date.parse(body.at) : now, now);
    }
    return this.setOnline(shipment, target, now);
  }

  /** Programs a random PIN, disabled, valid in the window; answers once the lock confirmed (set) or not (failed). */
  private async setOnline(
    shipment: ShipmentRow,
    target: { door: string; lock: string; secret: Buffer; actor: AuditActor },
    now: number,
  ): Promise<AccessCode> {
    const id = newId("accessCode", now);
    const pin = newKeypadCode();
    const row: AccessCodeRow = {
      ...emptyCode(),
      id,
      kind: "online",
      shipment_id: shipment.id,
      carrier_id: shipment.carrier_id,
      site_id: shipment.site_id,
      access_point_id: target.door,
      device_id: target.lock,
      status: "setting",
      pin_sealed: this.ctx.secrets.seal(pin, accessCodePinContext(id)),
      valid_from: shipment.window_start,
      valid_until: shipment.window_end,
      created_at: now,
      updated_at: now,
    };
    let staged: Awaited<ReturnType<AppContext["commands"]["stage"]>>;
    try {
      staged = await this.ctx.audit.transaction(async (trx, record) => {
        await insertAccessCode(trx, row);
        const command = await this.ctx.commands.stage(
          trx,
          record,
          target.lock,
          "pin_set",
          {
            codeId: id,
            pinSealed: sealPin(target.secret, target.lock, id, pin),
            validFrom: row.valid_from,
            validUntil: row.valid_until,
          },
          { siteId: row.site_id },
        );
        await trx.updateTable("access_codes").set({ command_id: command.id }).where("id", "=", id).execute();
        record({
          type: "access_code.setting",
          subjectType: "access_code",
          subjectId: id,
          siteId: row.site_id,
          actor: target.actor,
          data: { ...codeEventData(row, shipment), commandId: command.id },
        });
        return command;
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw new ThresholdError("conflict", "This shipment already has a one-time code that is set or being set.");
    }
    const outcome = await (await staged.publish()).outcome;
    await this.settle(id, outcome);
    return toAccessCode(await this.reload(id), null);
  }

  /** The lock's answer to pin_set: set, or failed — reported at once to the carrier, the recipient and the courier. */
  async settle(codeId: string, outcome: Pick<CommandOutcome, "status" | "reason">): Promise<void> {
    const now = this.ctx.clock.now();
    const succeeded = outcome.status === "succeeded";
    const reason = succeeded ? null : `${outcome.status}${outcome.reason ? `:${outcome.reason}` : ""}`;
    await this.ctx.audit.transaction(async (trx, record) => {
      const row = await findAccessCode(trx, codeId);
      if (!row) return;
      const to = succeeded ? "set" : "failed";
      if (!(await transitionCode(trx, codeId, ["setting"], to, { failure_reason: reason, updated_at: now }))) return;
      const shipment = await shipmentOf(trx, row.shipment_id);
      record({
        type: `access_code.${to}`,
        subjectType: "access_code",
        subjectId: codeId,
        siteId: row.site_id,
        actor: SYSTEM_ACTOR,
        data: { ...codeEventData(row, shipment), ...(reason ? { reason } : {}) },
      });
    });
  }

  /** Derives the next offline code of the lock for the hour containing `at`; nothing is sent to the lock. */
  private async issueOffline(
    shipment: ShipmentRow,
    target: { door: string; lock: string; secret: Buffer; actor: AuditActor },
    at: number,
    now: number,
  ): Promise<AccessCode> {
    const slot = offlineSlotAt(at);
    const { startMs, endMs } = offlineSlotBounds(slot);
    if (at < shipment.window_start || at >= shipment.window_end || endMs <= now) {
      throw new ThresholdError(
        "invalid_window",
        "at must be inside the delivery window, in an hour that has not ended yet.",
      );
    }
    for (let attempt = 1; ; attempt++) {
      const counter = await nextOfflineCounter(this.ctx.db, target.lock, slot);
      if (counter >= OFFLINE_CODE_COUNTERS) {
        throw new ThresholdError(
          "offline_codes_exhausted",
          `This lock has had ${OFFLINE_CODE_COUNTERS} offline codes for that hour already; choose another hour.`,
        );
      }
      const row: AccessCodeRow = {
        ...emptyCode(),
        id: newId("accessCode", now),
        kind: "offline",
        shipment_id: shipment.id,
        carrier_id: shipment.carrier_id,
        site_id: shipment.site_id,
        access_point_id: target.door,
        device_id: target.lock,
        status: "issued",
        valid_from: startMs,
        valid_until: endMs,
        slot,
        counter,
        created_at: now,
        updated_at: now,
      };
      try {
        await this.ctx.audit.transaction(async (trx, record) => {
          await insertAccessCode(trx, row);
          record({
            type: "access_code.issued",
            subjectType: "access_code",
            subjectId: row.id,
            siteId: row.site_id,
            actor: target.actor,
            data: { ...codeEventData(row, shipment), slot, counter, revocable: false },
          });
        });
        return toAccessCode(row, null);
      } catch (error) {
        // Another issuer took this counter a moment earlier; take the next.
        if (attempt < 5 && isUniqueViolation(error)) continue;
        throw error;
      }
    }
  }

  /**
   * The carrier withdraws a code before it is used. A one-time code is `removed` at once (no
   * check-in can enable it any more) and taken off the lock. An offline code is `removing` at once
   * and its lock is told to refuse it (offline_code_revoke), waited for a few seconds: `removed`
   * once the lock confirmed; while the lock is unreachable it stays `removing` — it still opens the
   * door until the lock hears — and the worker tells the lock the moment it is back.
   */
  async revoke(carrier: { carrierId: string; actor: Actor }, shipmentId: string, codeId: string): Promise<AccessCode> {
    const shipment = await findShipmentById(this.ctx.db, shipmentId);
    if (!shipment || shipment.carrier_id !== carrier.carrierId) throw notFound("shipment");
    const row = await findAccessCode(this.ctx.db, codeId);
    if (!row || row.shipment_id !== shipment.id) throw notFound("access code");
    const offline = row.kind === "offline";
    const now = this.ctx.clock.now();
    const removed = await this.ctx.audit.transaction(async (trx, record) => {
      const from: AccessCodeStatus[] = offline ? ["issued"] : ["setting", "set"];
      const changes = { removed_reason: "carrier", removed_at: now, updated_at: now };
      if (!(await transitionCode(trx, codeId, from, offline ? "removing" : "removed", changes))) return false;
      record({
        type: "access_code.removed",
        subjectType: "access_code",
        subjectId: codeId,
        siteId: row.site_id,
        actor: actorOf(carrier.actor),
        data: { ...codeEventData(row, shipment), reason: "carrier" },
      });
      return true;
    });
    const current = await this.reload(codeId);
    if (!removed && current.status !== "removed" && current.status !== "removing") {
      throw new ThresholdError("conflict", `The code is ${current.status}; only a code not yet used can be removed.`);
    }
    await takeCodeOffLock(this.ctx, current);
    return toAccessCode(await this.reload(codeId), null);
  }

  /** A shipment's codes: its carrier and operators see their state; its assigned courier also the digits, while valid. */
  async list(actor: Actor, shipmentId: string): Promise<AccessCode[]> {
    const { shipment, viewer } = await this.visibleShipment(actor, shipmentId);
    const rows = await accessCodesOfShipment(this.ctx.db, shipment.id);
    return Promise.all(rows.map((row) => this.render(row, viewer)));
  }

  async get(actor: Actor, shipmentId: string, codeId: string): Promise<AccessCode> {
    const { shipment, viewer } = await this.visibleShipment(actor, shipmentId);
    const row = await findAccessCode(this.ctx.db, codeId);
    if (!row || row.shipment_id !== shipment.id) throw notFound("access code");
    return this.render(row, viewer);
  }

  /**
   * Who may look: the carrier (shipments:read) and operators see states, the assigned courier
   * sees digits too. Recipients never get the code (it is for the courier), so for them this is 403;
   * another carrier's shipment or another courier's is 404 (rule 5).
   */
  private async visibleShipment(actor: Actor, shipmentId: string) {
    if (actor.kind === "api_key" && !actor.scopes.includes("shipments:read")) {
      throw new ThresholdError("forbidden", "This API key lacks the shipments:read scope.");
    }
    if (actor.kind === "user" && actor.role === "recipient") {
      throw new ThresholdError(
        "forbidden",
        "Access codes are for the courier; the recipient sees their use in the activity.",
      );
    }
    const shipment = await findShipmentById(this.ctx.db, shipmentId);
    const viewer = shipment ? viewerOf(actor, shipment) : null;
    if (!shipment || !viewer) throw notFound("shipment");
    return { shipment, viewer };
  }

  private async render(row: AccessCodeRow, viewer: Viewer): Promise<AccessCode> {
    if (viewer !== "courier") return toAccessCode(row, null);
    return toAccessCode(row, await this.digitsForCourier(row));
  }

  /**
   * The digits, only while they can open: an online code once set and inside its window, an
   * offline code in its hour; never while the recipient blocks all access.
   */
  private async digitsForCourier(row: AccessCodeRow): Promise<string | null> {
    const now = this.ctx.clock.now();
    if (await siteBlocked(this.ctx.db, row.site_id)) return null;
    if (row.kind === "online") {
      if (row.status !== "set" || now < row.valid_from || now >= row.valid_until || !row.pin_sealed) return null;
      return this.ctx.secrets.open(row.pin_sealed, accessCodePinContext(row.id)).toString("utf8");
    }
    const skewMs = OFFLINE_CODE_DEFAULT_SKEW_S * 1000;
    if (row.status !== "issued" || now < row.valid_from - skewMs || now >= row.valid_until + skewMs) return null;
    const lock = await findLock(this.ctx.db, row.device_id);
    const secret = lock ? lockSecret(this.ctx, lock) : null;
    if (!secret || row.slot === null || row.counter === null) return null;
    return offlineCode({ secret, slot: Number(row.slot), counter: Number(row.counter) });
  }

  private async reload(id: string): Promise<AccessCodeRow> {
    const row = await findAccessCode(this.ctx.db, id);
    if (!row) throw new Error(`access code ${id} vanished`);
    return row;
  }
}

type Viewer = "carrier" | "courier" | "operator";

async function siteBlocked(db: AppContext["db"], siteId: string): Promise<boolean> {
  const site = await db.selectFrom("sites").select("access_blocked_at").where("id", "=", siteId).executeTakeFirst();
  return site?.access_blocked_at != null;
}

/** Whether the recipient allows offline codes for this door even while its lock is online. */
async function offlineFallbackAllowed(db: AppContext["db"], accessPointId: string): Promise<boolean> {
  const row = await db
    .selectFrom("consents")
    .select("offline_codes")
    .where("access_point_id", "=", accessPointId)
    .executeTakeFirst();
  return row?.offline_codes === 1;
}

function viewerOf(actor: Actor, shipment: ShipmentRow): Viewer | null {
  if (isOperator(actor)) return "operator";
  if (actor.kind === "api_key") return actor.carrierId === shipment.carrier_id ? "carrier" : null;
  if (actor.role === "carrier_admin") return actor.carrierId === shipment.carrier_id ? "carrier" : null;
  if (actor.role === "courier") return actor.userId === shipment.courier_id ? "courier" : null;
  return null;
}

export function shipmentOf(db: AppContext["db"], id: string): Promise<ShipmentRow> {
  return db.selectFrom("shipments").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
}

function emptyCode(): Pick<
  AccessCodeRow,
  | "pin_sealed"
  | "slot"
  | "counter"
  | "command_id"
  | "failure_reason"
  | "visit_id"
  | "used_at"
  | "removed_from_lock_at"
  | "claimed_until"
  | "removed_reason"
  | "removed_at"
> {
  return {
    pin_sealed: null,
    slot: null,
    counter: null,
    command_id: null,
    failure_reason: null,
    visit_id: null,
    used_at: null,
    removed_from_lock_at: null,
    claimed_until: null,
    removed_reason: null,
    removed_at: null,
  };
}

import type { EventMessage, StateMessage } from "@threshold/protocol";
import { type AuditActor, SYSTEM_ACTOR } from "../../audit/audit-log.js";
import type { AppContext } from "../../context.js";
import { GuestKeyService } from "../guest-keys/service.js";
import { insertOpenIncident } from "../incidents/repository.js";
import { VisitService } from "../visits/service.js";
import { reconcileOfflineUse } from "./offline-reconcile.js";
import { findAccessCode, transitionCode } from "./repository.js";
import type { AccessCodeRow } from "./schemas.js";
import { codeEventData, shipmentOf } from "./service.js";

/**
 * Turns what a lock's keypad reports into Threshold's record: a one-time code used (the visit it
 * was enabled for is open), an offline code used while the lock had no network (a visit recorded
 * after the fact), a guest key used (its owner is told), a wrong-code lockout (the recipient is
 * alerted). Every report was verified as
 * signed by the lock before it got here. Events are handled one at a time, in arrival order.
 */
export class KeypadEventHandler {
  private queue: Promise<void> = Promise.resolve();
  private readonly visits: VisitService;
  private readonly guestKeys: GuestKeyService;
  private readonly listener = (event: EventMessage) => {
    if (event.type !== "pin.used" && event.type !== "alarm.wrong_code_limit") return;
    this.queue = this.queue
      .then(() => this.handle(event))
      .catch((err: unknown) => this.ctx.log.error({ err, eventId: event.id }, "keypad event not handled"));
  };

  /** A lock's state may be the proof an offline visit waits for (reconcileOfflineUse). */
  private readonly stateListener = (state: StateMessage) => {
    const reported = state.state;
    if (!state.online || !("lock" in reported) || reported.lock !== "locked" || reported.door !== "closed") return;
    this.queue = this.queue
      .then(() => this.secureProvenOfflineVisits(state))
      .catch((err: unknown) => this.ctx.log.error({ err, deviceId: state.deviceId }, "offline visit not settled"));
  };

  constructor(private readonly ctx: AppContext) {
    this.visits = new VisitService(ctx);
    this.guestKeys = new GuestKeyService(ctx);
  }

  start(): void {
    this.ctx.gateway.on("deviceEvent", this.listener);
    this.ctx.gateway.on("deviceState", this.stateListener);
  }

  async stop(): Promise<void> {
    this.ctx.gateway.off("deviceEvent", this.listener);
    this.ctx.gateway.off("deviceState", this.stateListener);
    await this.queue;
  }

  /** Resolves once every event received so far is handled (tests). */
  idle(): Promise<void> {
    return this.queue;
  }

  private async handle(event: EventMessage): Promise<void> {
    const device = await this.ctx.db
      .selectFrom("devices")
      .select(["id", "site_id"])
      .where("id", "=", event.deviceId)
      .executeTakeFirst();
    if (!device) return;
    const actor: AuditActor = { type: "device", id: device.id };
    if (event.type === "alarm.wrong_code_limit") {
      await this.ctx.audit.transaction(async (_trx, record) => {
        record({
          type: "lock.wrong_code_limit",
          subjectType: "device",
          subjectId: device.id,
          siteId: device.site_id,
          actor,
          data: { deviceId: device.id, eventId: event.id, at: event.at, ...event.data },
        });
      });
      return;
    }
    if (event.data.kind === "offline") {
      await reconcileOfflineUse(this.ctx, event, device);
      return;
    }
    if (event.data.kind === "guest") {
      await this.guestKeys.recordUse(event, device);
      return;
    }
    await this.onlineUsed(event, device, actor);
  }

  /**
   * The lock signed a locked-and-closed state after an offline code opened it: the offline visit
   * recorded open while waiting for that proof is secured, and its shipment delivered.
   */
  private async secureProvenOfflineVisits(state: StateMessage): Promise<void> {
    const waiting = await this.ctx.db
      .selectFrom("visits")
      .select("id")
      .where("lock_device_id", "=", state.deviceId)
      .where("status", "=", "open")
      .where("reconciled_at", "is not", null)
      .where("opened_at", "<", state.at)
      .execute();
    for (const { id } of waiting) await this.visits.secureProven(id);
  }

  /**
   * A one-time code opened the door: the code is used, and the visit waiting for it is open. A
   * code Threshold had withdrawn (the lock had not heard yet) opens no visit: its use is recorded
   * as such, and the visit that was waiting for it becomes an incident.
   */
  private async onlineUsed(event: EventMessage, device: { id: string; site_id: string }, actor: AuditActor) {
    const codeId = typeof event.data.codeId === "string" ? event.data.codeId : "";
    const code = await findAccessCode(this.ctx.db, codeId);
    const now = this.ctx.clock.now();
    if (code?.status === "removed" && code.device_id === device.id) {
      await this.withdrawnCodeUsed(event, code, actor);
      return;
    }
    const visit = code
      ? await this.ctx.db
          .selectFrom("visits")
          .select("id")
          .where("access_code_id", "=", code.id)
          .where("status", "=", "opening")
          .executeTakeFirst()
      : undefined;
    const used = await this.ctx.audit.transaction(async (trx, record) => {
      // A lock reports only its own codes; anything else is recorded as a warning, never acted on.
      if (!code || code.device_id !== device.id) {
        record({
          type: "access_code.unknown_use",
          subjectType: "device",
          subjectId: device.id,
          siteId: device.site_id,
          actor,
          data: { deviceId: device.id, eventId: event.id, at: event.at, codeId: codeId || null },
        });
        return false;
      }
      const patch = { used_at: event.at, visit_id: visit?.id ?? null, updated_at: now };
      if (!(await transitionCode(trx, code.id, ["set", "expired"], "used", patch))) return false;
      const shipment = await shipmentOf(trx, code.shipment_id);
      record({
        type: "access_code.used",
        subjectType: "access_code",
        subjectId: code.id,
        siteId: code.site_id,
        actor,
        data: { ...codeEventData(code, shipment), visitId: visit?.id ?? null, usedAt: event.at, eventId: event.id },
      });
      return true;
    });
    // Only a code that was still good opens its visit.
    if (used && visit) await this.visits.openedByCode(visit.id);
  }

  /**
   * The lock took a code Threshold had withdrawn — blocked by the recipient or removed by its
   * carrier — before it heard: the door opened although Threshold had said no. The courier's visit
   * waiting for it ends (or stays) aborted — Threshold never let it open, so it is never recorded as
   * a delivery — and an incident is opened on it for the recipient, in the same transaction as the
   * record of the use (`access_code.used_while_blocked` or `access_code.used_after_removal`).
   */
  private async withdrawnCodeUsed(event: EventMessage, code: AccessCodeRow, actor: AuditActor): Promise<void> {
    const whileBlocked = code.removed_reason === "access_blocked";
    const waiting = await this.visitOf(code.id);
    if (waiting && waiting.status !== "aborted") await this.visits.abortForBlock(waiting.id);
    const now = this.ctx.clock.now();
    await this.ctx.audit.transaction(async (trx, record) => {
      const first = await trx
        .updateTable("access_codes")
        .set({ used_at: event.at, updated_at: now })
        .where("id", "=", code.id)
        .where("used_at", "is", null)
        .executeTakeFirst();
      if (first.numUpdatedRows === 0n) return; // the lock sent the same report again
      const kind = whileBlocked ? "code_used_while_blocked" : "code_used_after_removal";
      const detail = whileBlocked
        ? "A courier's code opened the door after the recipient blocked all access: the lock had not yet heard that the code was withdrawn."
        : "A courier's code opened the door after its carrier withdrew it: the lock had not yet heard.";
      const incidentId = waiting
        ? await insertOpenIncident(trx, { visitId: waiting.id, siteId: code.site_id, kind, detail, openedAt: now })
        : null;
      const shipment = await shipmentOf(trx, code.shipment_id);
      if (waiting && incidentId) {
        // As the fridge watch does for a visit that stays as it is: the recipient's screens hear of it at once.
        record({
          type: "incident.opened",
          subjectType: "incident",
          subjectId: incidentId,
          siteId: code.site_id,
          actor: SYSTEM_ACTOR,
          data: {
            visitId: waiting.id,
            kind,
            detail,
            accessPointId: code.access_point_id,
            courierId: shipment.courier_id,
            carrierId: code.carrier_id,
            shipmentId: code.shipment_id,
            trackingNumber: shipment.tracking_number,
          },
        });
      }
      record({
        type: whileBlocked ? "access_code.used_while_blocked" : "access_code.used_after_removal",
        subjectType: "access_code",
        subjectId: code.id,
        siteId: code.site_id,
        actor,
        data: {
          ...codeEventData(code, shipment),
          usedAt: event.at,
          eventId: event.id,
          removedAt: code.removed_at,
          reason: code.removed_reason,
          visitId: waiting?.id ?? null,
          incidentId,
          detail,
        },
      });
    });
  }

  private visitOf(codeId: string) {
    return this.ctx.db
      .selectFrom("visits")
      .select(["id", "status"])
      .where("access_code_id", "=", codeId)
      .where("status", "in", ["authorized", "opening", "aborted"])
      .orderBy("requested_at", "desc")
      .executeTakeFirst();
  }
}

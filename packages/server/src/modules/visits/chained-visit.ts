import { type EventType, type RefusalCode, refusal, ThresholdError } from "@threshold/core";
import { SYSTEM_ACTOR } from "../../audit/audit-log.js";
import type { Database } from "../../db/schema.js";
import type { UserActor } from "../../http/actor.js";
import { deviceLiveness, isOnline, reportedState } from "../devices/index.js";
import { liveCameras } from "../video/service.js";
import { LOCK } from "./actuators.js";
import { findDevice, type VisitStatus } from "./repository.js";
import type { VisitCtx } from "./service.js";

type VisitRow = Database["visits"];
type ShipmentRow = Database["shipments"];

/** What the chain needs of the visit service: the incident path every access point shares. */
export interface IncidentRaiser {
  raiseIncident(
    visit: VisitRow,
    shipment: ShipmentRow,
    from: VisitStatus[],
    kind: string,
    detail: string,
  ): Promise<boolean>;
}

/**
 * The second access point of a chained visit: a fridge behind the front door
 * (docs/garage-and-fridge.md). It opens only while the front-door visit is `open`, after the same
 * device checks as any access point (online, locked, closed, camera live, access not blocked), and
 * it is locked before the front door when the courier secures.
 */
export class ChainedVisit {
  constructor(
    private readonly ctx: VisitCtx,
    private readonly incidents: IncidentRaiser,
  ) {}

  /** Unlocks the fridge for the courier; the visit is returned as it then is. */
  async openNext(courier: UserActor, visit: VisitRow | undefined, shipment: ShipmentRow | undefined): Promise<void> {
    if (!visit || !shipment || visit.courier_id !== courier.userId) {
      throw new ThresholdError("not_found", "No visit with that id is visible to you.");
    }
    const fridgeId = visit.inner_device_id;
    if (!visit.inner_access_point_id || !fridgeId) {
      throw new ThresholdError(
        "no_next_access_point",
        "This visit has no second access point (such as a fridge) to open.",
      );
    }
    if (visit.status !== "open") {
      throw new ThresholdError(
        "visit_not_open",
        `The front door visit is ${visit.status}; the fridge opens only while the front door is open.`,
      );
    }
    if (visit.inner_secured_at != null) {
      throw new ThresholdError("conflict", "The fridge was already filled and locked during this visit.");
    }
    if (visit.inner_opened_at != null) return;
    const refusals = await this.refusals(visit, fridgeId);
    if (refusals.length > 0) {
      await this.record(visit, shipment, "visit.inner_refused", { codes: refusals });
      const first = refusal(refusals[0] as RefusalCode);
      throw new ThresholdError("conflict", first.message, { refusals: refusals.map(refusal) });
    }
    await this.record(visit, shipment, "visit.inner_opening", { accessPointId: visit.inner_access_point_id });
    const attempt = await this.ctx.commands.send(fridgeId, LOCK.open, { visitId: visit.id }, { siteId: visit.site_id });
    const outcome = await attempt.outcome;
    if (outcome.status !== "succeeded" || !LOCK.isOpen(outcome.ack?.state)) {
      const reason =
        outcome.status === "succeeded" ? "lock_not_unlocked" : `unlock_${outcome.reason ?? outcome.status}`;
      await this.record(visit, shipment, "visit.inner_open_failed", { reason });
      // In case an unlock got through unseen.
      await this.ctx.commands
        .send(fridgeId, LOCK.secure, { visitId: visit.id })
        .catch((err: unknown) => this.ctx.log.error({ err }, "fridge relock not sent"));
      throw new ThresholdError("conflict", "The fridge did not open. Leave the package at the door and lock it.", {
        reason,
      });
    }
    const now = this.ctx.clock.now();
    await this.ctx.audit.transaction(async (trx, record) => {
      await trx
        .updateTable("visits")
        .set({ inner_opened_at: now, updated_at: now })
        .where("id", "=", visit.id)
        .execute();
      record(this.event(visit, shipment, "visit.inner_opened", { accessPointId: visit.inner_access_point_id }));
    });
  }

  /**
   * Locks the fridge before the front door. True when it is proven locked and closed; otherwise the
   * courier is told (fridge open: close it and tap Done again) or the incident path is taken.
   */
  async secureInner(visit: VisitRow, shipment: ShipmentRow, from: VisitStatus[]): Promise<boolean> {
    const fridgeId = visit.inner_device_id as string;
    const attempt = await this.ctx.commands.send(
      fridgeId,
      LOCK.secure,
      { visitId: visit.id },
      { siteId: visit.site_id },
    );
    const outcome = await attempt.outcome;
    if (outcome.status === "succeeded" && LOCK.isSecured(outcome.ack?.state)) {
      await this.markSecured(visit, shipment);
      return true;
    }
    if (outcome.reason === "door_open") {
      await this.record(visit, shipment, "visit.secure_refused", { reason: "fridge_open" });
      throw new ThresholdError("fridge_open", "The fridge is open. Close it firmly, then tap Done again.");
    }
    await this.incidents.raiseIncident(
      visit,
      shipment,
      from,
      "fridge_lock_failed",
      `The fridge's lock did not confirm locking (${outcome.reason ?? outcome.status}).`,
    );
    return false;
  }

  /** The fridge is proven locked and closed (by the courier's Done or a watchdog retry). */
  async markSecured(visit: VisitRow, shipment: ShipmentRow): Promise<void> {
    const now = this.ctx.clock.now();
    await this.ctx.audit.transaction(async (trx, record) => {
      const result = await trx
        .updateTable("visits")
        .set({ inner_secured_at: now, updated_at: now })
        .where("id", "=", visit.id)
        .where("inner_secured_at", "is", null)
        .executeTakeFirst();
      if (result.numUpdatedRows > 0n) {
        record(this.event(visit, shipment, "visit.inner_secured", { accessPointId: visit.inner_access_point_id }));
      }
    });
  }

  /** Rule 1 for the fridge, at the moment the courier asks: fail closed on anything unknown. */
  private async refusals(visit: VisitRow, fridgeId: string): Promise<RefusalCode[]> {
    const { db } = this.ctx;
    const liveness = deviceLiveness(this.ctx);
    const [fridge, site, fresh] = await Promise.all([
      findDevice(db, fridgeId),
      db.selectFrom("sites").select("access_blocked_at").where("id", "=", visit.site_id).executeTakeFirst(),
      visit.camera_device_id ? liveCameras(this.ctx, [visit.camera_device_id]) : Promise.resolve(new Set<string>()),
    ]);
    const codes: RefusalCode[] = [];
    if (site?.access_blocked_at != null) codes.push("access_blocked");
    if (!visit.camera_device_id || !fresh.has(visit.camera_device_id)) codes.push("camera_not_live");
    const state = fridge ? reportedState(fridge.reported_state) : null;
    if (!fridge || !isOnline(fridge, liveness)) codes.push("fridge_offline");
    else {
      if (state?.lock !== "locked") codes.push("fridge_not_locked");
      if (state?.door !== "closed") codes.push("fridge_open");
    }
    return codes;
  }

  private async record(visit: VisitRow, shipment: ShipmentRow, type: EventType, extra: Record<string, unknown>) {
    await this.ctx.audit.transaction(async (_trx, record) => {
      record(this.event(visit, shipment, type, extra));
    });
  }

  private event(visit: VisitRow, shipment: ShipmentRow, type: EventType, extra: Record<string, unknown>) {
    return {
      type,
      subjectType: "visit",
      subjectId: visit.id,
      siteId: visit.site_id,
      actor: SYSTEM_ACTOR,
      data: {
        courierId: visit.courier_id,
        carrierId: visit.carrier_id,
        shipmentId: visit.shipment_id,
        trackingNumber: shipment.tracking_number,
        ...extra,
      },
    };
  }
}

import { newId } from "@threshold/core";
import type { EventMessage } from "@threshold/protocol";
import type { AuditActor } from "../../audit/audit-log.js";
import { SYSTEM_ACTOR } from "../../audit/audit-log.js";
import type { AppContext } from "../../context.js";
import type { Database } from "../../db/schema.js";
import { reportedState } from "../devices/index.js";
import { insertOpenIncident } from "../incidents/repository.js";
import { markShipmentDelivered, shipmentDeliveredEvent } from "../shipments/index.js";
import { findOfflineCode, transitionCode } from "./repository.js";
import { codeEventData, shipmentOf } from "./service.js";

/**
 * How long an offline visit whose lock has said nothing since the opening waits for it to prove
 * itself locked and closed, when the courier's own time to secure (VISIT_MAX_OPEN_S from the
 * opening) has already run out: the lock's reports follow its reconnection within moments.
 */
const OFFLINE_PROOF_GRACE_MS = 15_000;

/**
 * A lock used an offline code while it had no network, and reports it now (docs/offline-codes.md).
 * The code becomes used and the delivery is recorded after the fact as a visit (reconciled_at set,
 * opened at the time the lock says), in one audited transaction with the code's change, so two
 * servers hearing the same report record one visit.
 *
 * Only a state the lock signed after the opening says anything about the door since (the lock's
 * state before the use was locked, of course): a later locked-and-closed state secures the visit
 * and delivers the shipment. A later state that is not, reported after the courier's time since the
 * opening is over, is an incident the recipient hears about at once, and the watchdog tells the lock
 * to lock. Otherwise (no later state yet, or the door still open within the courier's time, which
 * an online lock reports in either order) the visit is recorded `open` and waits for the proof
 * (`secureProvenOfflineVisits`), until the courier's time runs out and the watchdog raises the
 * incident. A use while the recipient blocked all access, or of a code its carrier withdrew, is an
 * incident whatever the door says, never a delivery.
 */
export async function reconcileOfflineUse(
  ctx: Pick<AppContext, "db" | "audit" | "clock" | "config">,
  event: EventMessage,
  device: { id: string; site_id: string },
): Promise<void> {
  const actor: AuditActor = { type: "device", id: device.id };
  const slot = typeof event.data.slot === "number" ? event.data.slot : -1;
  const counter = typeof event.data.counter === "number" ? event.data.counter : -1;
  const code = await findOfflineCode(ctx.db, device.id, slot, counter);
  const lock = await ctx.db
    .selectFrom("devices")
    .select(["reported_state", "state_at"])
    .where("id", "=", device.id)
    .executeTakeFirst();
  const state = reportedState(lock?.reported_state ?? null);
  const doorShut = state?.lock === "locked" && state?.door === "closed";
  // Whether the lock has signed a state since the opening: only that says how the door is now.
  const stateAfterUse = lock?.state_at !== null && lock?.state_at !== undefined && Number(lock.state_at) > event.at;
  const now = ctx.clock.now();
  // An unlocked door within the courier's time since the opening is a delivery under way, not an
  // incident: the lock's unlock state may reach the server before or after its report of the use.
  const courierTimeOver = now >= event.at + ctx.config.visitMaxOpenMs;
  const site = await ctx.db
    .selectFrom("sites")
    .select("access_blocked_at")
    .where("id", "=", device.site_id)
    .executeTakeFirst();
  // Blocked when the code was typed (and still: a block lifted before the report is not seen here).
  const blockedAtUse = site?.access_blocked_at != null && Number(site.access_blocked_at) <= event.at;
  await ctx.audit.transaction(async (trx, record) => {
    if (!code) {
      // A code derived from this lock's secret that Threshold never issued: the secret may have leaked.
      record({
        type: "access_code.unknown_use",
        subjectType: "device",
        subjectId: device.id,
        siteId: device.site_id,
        actor,
        data: { deviceId: device.id, eventId: event.id, at: event.at, kind: "offline", slot, counter },
      });
      return;
    }
    const shipment = await shipmentOf(trx, code.shipment_id);
    // The visit is the assigned courier's; a shipment unassigned meanwhile gets no visit, only the record of the use.
    const courierId = shipment.courier_id;
    const visitId = courierId ? newId("visit", event.at) : null;
    const patch = { used_at: event.at, visit_id: visitId, updated_at: now };
    // A code its carrier withdrew was still taken by a lock that had not heard: used, and said so.
    const withdrawn = code.status === "removing" || code.status === "removed";
    const from = ["issued", "expired", "removing", "removed"] as const;
    if (!(await transitionCode(trx, code.id, from, "used", patch))) return;
    const codeData = codeEventData(code, shipment);
    record({
      type: "access_code.used",
      subjectType: "access_code",
      subjectId: code.id,
      siteId: code.site_id,
      actor,
      data: {
        ...codeData,
        visitId,
        usedAt: event.at,
        eventId: event.id,
        reportedAt: now,
        ...(withdrawn ? { beforeRevocationReachedLock: true } : {}),
        ...(blockedAtUse ? { whileBlocked: true } : {}),
      },
    });
    // Only a code that was still good, used while access was allowed, is a delivery; anything else is an incident.
    const problem = blockedAtUse
      ? {
          kind: "offline_code_used_while_blocked",
          detail:
            "An offline code opened the door while the recipient had blocked all access: the lock, with no network, could not know.",
        }
      : withdrawn
        ? {
            kind: "offline_code_used_after_revocation",
            detail:
              "An offline code its carrier had withdrawn opened the door: the lock had not yet heard of the withdrawal.",
          }
        : !stateAfterUse || doorShut || !courierTimeOver
          ? null
          : {
              kind: "offline_visit_unsecured",
              detail:
                "An offline code opened the door while the lock had no network; since then the lock does not report itself locked and closed.",
            };
    // No problem, but no state since the opening yet: open, waiting for the lock's proof.
    const outcome: "secured" | "incident" | "open" = problem
      ? "incident"
      : stateAfterUse && doorShut
        ? "secured"
        : "open";
    const secured = outcome === "secured";
    if (!courierId || !visitId) return;
    const visit: Database["visits"] = {
      id: visitId,
      shipment_id: shipment.id,
      site_id: code.site_id,
      access_point_id: code.access_point_id,
      courier_id: courierId,
      carrier_id: shipment.carrier_id,
      status: outcome,
      refusals: null,
      reason: "offline_code",
      courier_lat: null,
      courier_lng: null,
      requested_at: event.at,
      authorized_at: code.created_at,
      opened_at: event.at,
      securing_at: null,
      secured_at: secured ? now : null,
      ended_at: secured ? now : null,
      deadline_at:
        outcome === "open" ? Math.max(event.at + ctx.config.visitMaxOpenMs, now + OFFLINE_PROOF_GRACE_MS) : null,
      camera_device_id: null,
      lock_device_id: device.id,
      updated_at: now,
      clip_from: null,
      clip_until: null,
      access_code_id: code.id,
      reconciled_at: now,
    };
    await trx.insertInto("visits").values(visit).execute();
    const visitData = {
      courierId: visit.courier_id,
      carrierId: visit.carrier_id,
      shipmentId: shipment.id,
      trackingNumber: shipment.tracking_number,
    };
    record({
      type: "visit.recorded_offline",
      subjectType: "visit",
      subjectId: visitId,
      siteId: visit.site_id,
      actor: SYSTEM_ACTOR,
      data: { ...visitData, accessCodeId: code.id, openedAt: event.at, eventId: event.id },
    });
    if (secured) {
      await markShipmentDelivered(trx, shipment, { at: now, now, visitId });
      record({
        type: "visit.secured",
        subjectType: "visit",
        subjectId: visitId,
        siteId: visit.site_id,
        actor: SYSTEM_ACTOR,
        data: visitData,
      });
      record(shipmentDeliveredEvent(shipment, visit));
      return;
    }
    if (!problem) return;
    const { kind, detail } = problem;
    const incidentId = await insertOpenIncident(trx, { visitId, siteId: visit.site_id, kind, detail, openedAt: now });
    record({
      type: "visit.incident",
      subjectType: "visit",
      subjectId: visitId,
      siteId: visit.site_id,
      actor: SYSTEM_ACTOR,
      data: { ...visitData, incidentId, kind, detail },
    });
  });
}

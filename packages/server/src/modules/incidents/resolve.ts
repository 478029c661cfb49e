import { ThresholdError } from "@threshold/core";
import type { AppContext } from "../../context.js";
import type { Database } from "../../db/schema.js";
import type { UserActor } from "../../http/actor.js";
import { markShipmentDelivered, shipmentDeliveredEvent } from "../shipments/index.js";
import { closeClip } from "../video/clip-links.js";

/** What the person resolving an incident says of the parcel. */
export const INCIDENT_OUTCOMES = ["delivered", "not_delivered"] as const;
export type IncidentOutcome = (typeof INCIDENT_OUTCOMES)[number];

const FINISHED = ["delivered", "collected"];

/**
 * Closes an open incident with what its resolver says. An incident's relock only makes the door
 * safe (issue 15 finding 5): unless the courier already confirmed, the parcel is delivered here,
 * when the person says `delivered`; `not_delivered` (or saying nothing) leaves it undelivered.
 */
export async function resolveIncident(
  ctx: Pick<AppContext, "db" | "audit" | "clock" | "config">,
  actor: UserActor,
  incident: Database["incidents"],
  resolution: string,
  outcome: IncidentOutcome | undefined,
): Promise<void> {
  if (incident.status !== "open") throw new ThresholdError("conflict", "This incident is already resolved.");
  const now = ctx.clock.now();
  const visit = await ctx.db
    .selectFrom("visits")
    .select(["id", "site_id", "courier_id", "carrier_id", "shipment_id"])
    .where("id", "=", incident.visit_id)
    .executeTakeFirstOrThrow();
  const shipment = await ctx.db
    .selectFrom("shipments")
    .select(["id", "carrier_id", "tracking_number", "direction", "status", "delivered_visit_id"])
    .where("id", "=", visit.shipment_id)
    .executeTakeFirstOrThrow();
  const finished = FINISHED.includes(shipment.status);
  if (outcome === "not_delivered" && finished && shipment.delivered_visit_id === visit.id) {
    throw new ThresholdError(
      "conflict",
      "The courier confirmed this delivery and the door was proven locked; it cannot be resolved as not delivered.",
    );
  }
  await ctx.audit.transaction(async (trx, record) => {
    const closed = await trx
      .updateTable("incidents")
      .set({ status: "resolved", resolved_at: now, resolved_by: actor.userId, resolution, outcome: outcome ?? null })
      .where("id", "=", incident.id)
      .where("status", "=", "open")
      .executeTakeFirst();
    if (closed.numUpdatedRows === 0n) throw new ThresholdError("conflict", "This incident is already resolved.");
    // A visit that never got secured stops recording here (a secured one already has).
    await closeClip(trx, incident.visit_id, now, ctx.config.media);
    record({
      type: "incident.resolved",
      subjectType: "incident",
      subjectId: incident.id,
      siteId: incident.site_id,
      actor: { type: "user", id: actor.userId },
      data: {
        visitId: incident.visit_id,
        kind: incident.kind,
        resolution,
        outcome: outcome ?? null,
        courierId: visit.courier_id,
        carrierId: visit.carrier_id,
        shipmentId: visit.shipment_id,
      },
    });
    if (outcome !== "delivered" || finished) return;
    if (await markShipmentDelivered(trx, shipment, { at: now, now, visitId: visit.id })) {
      record({ ...shipmentDeliveredEvent(shipment, visit), actor: { type: "user", id: actor.userId } });
    }
  });
}

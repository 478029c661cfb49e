import type { Kysely, Transaction } from "kysely";
import { type AuditInput, SYSTEM_ACTOR } from "../../audit/audit-log.js";
import type { Database } from "../../db/schema.js";

/** A shipment in one of these has been handed over (or taken back): it is never handed over again. */
const HANDED_OVER = ["delivered", "collected", "returned"] as const;

/**
 * The one way a shipment is marked handed over, whoever proves it: a secured visit, an offline
 * code's visit reconciled later, a resident's pickup from a locker, the package room, a person
 * resolving an incident. A return taken from a trunk ends `collected` (the courier has it,
 * docs/in-car-delivery.md); anything else `delivered`. Only from a status not already handed over,
 * so proof that arrives twice (a retried Done, an incident resolved after the lock's own proof)
 * changes nothing. True when it moved the shipment.
 */
export async function markShipmentDelivered(
  db: Kysely<Database> | Transaction<Database>,
  shipment: { id: string; direction?: string },
  delivery: { at: number; now: number; visitId?: string },
): Promise<boolean> {
  const moved = await db
    .updateTable("shipments")
    .set({
      status: shipment.direction === "return" ? "collected" : "delivered",
      delivered_at: delivery.at,
      ...(delivery.visitId ? { delivered_visit_id: delivery.visitId } : {}),
      updated_at: delivery.now,
    })
    .where("id", "=", shipment.id)
    .where("status", "not in", HANDED_OVER)
    .executeTakeFirst();
  return moved.numUpdatedRows > 0n;
}

/**
 * The audit event of a shipment proven delivered by a secured visit — what the carrier's
 * `shipment.delivered` webhook carries — whichever way the visit was secured (the courier's Done,
 * the watchdog's retried lock, or an offline code reconciled after the fact).
 */
export function shipmentDeliveredEvent(
  shipment: { id: string; carrier_id: string; tracking_number: string; direction?: string },
  visit: { id: string; site_id: string; courier_id: string },
): AuditInput {
  return {
    // A return from a trunk is collected, not delivered (docs/in-car-delivery.md).
    type: shipment.direction === "return" ? "shipment.collected" : "shipment.delivered",
    subjectType: "shipment",
    subjectId: shipment.id,
    siteId: visit.site_id,
    actor: SYSTEM_ACTOR,
    data: {
      carrierId: shipment.carrier_id,
      trackingNumber: shipment.tracking_number,
      visitId: visit.id,
      courierId: visit.courier_id,
    },
  };
}

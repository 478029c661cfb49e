import { type AuditInput, SYSTEM_ACTOR } from "../../audit/audit-log.js";

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

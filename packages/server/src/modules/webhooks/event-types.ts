import type { EventType } from "@threshold/core";

/**
 * What a carrier can subscribe to: facts about its own shipments, and the visits and incidents
 * that concern them. Each is an audit event type; the webhook payload is derived from that event.
 */
export const WEBHOOK_EVENT_TYPES = [
  "shipment.created",
  "shipment.assigned",
  "shipment.delivered",
  // In-car delivery: a return taken from the recipient's trunk.
  "shipment.collected",
  "visit.refused",
  "visit.opened",
  "visit.secured",
  "visit.aborted",
  "visit.incident",
  // An incident's relock proved the door secured; the parcel is not delivered by it (issue 15 finding 5).
  "visit.door_secured",
  "incident.resolved",
  // Codes (issue 6): the life of a keypad code for the carrier's shipment (never its digits).
  "access_code.set",
  "access_code.failed",
  "access_code.issued",
  "access_code.used",
  "access_code.expired",
  "access_code.removed",
  "visit.recorded_offline",
  // Parcel lockers (issue 7, docs/lockers.md): the carrier's parcels in lockers (never a pickup code).
  "locker.parcel_in_locker",
  "locker.parcel_picked_up",
  "locker.parcel_expired",
  "locker.parcel_collected",
  "locker.pickup_extended",
  "locker.parcel_to_package_room",
  "locker.return_dropped",
] as const satisfies readonly EventType[];

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Subscribes an endpoint to every event type, including ones added later. */
export const ALL_EVENT_TYPES = "*";

export function isWebhookEventType(type: string): type is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(type);
}

/** Whether an endpoint subscribed to `subscribed` wants events of `type`. */
export function wants(subscribed: readonly string[], type: string): boolean {
  return subscribed.includes(ALL_EVENT_TYPES) || subscribed.includes(type);
}

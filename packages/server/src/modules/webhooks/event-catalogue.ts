import Type from "typebox";
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from "./event-types.js";

/**
 * One sentence per event a carrier can subscribe to, for people choosing (docs/webhooks.md says the
 * same). A Record, so a type added to WEBHOOK_EVENT_TYPES without its sentence does not compile.
 */
const DESCRIPTIONS: Record<WebhookEventType, string> = {
  "shipment.created": "A shipment was created.",
  "shipment.assigned": "A shipment was given to a courier, or to another one.",
  "shipment.delivered": "The door was proven relocked after the drop: delivered.",
  "shipment.collected": "A return was taken from the recipient's trunk.",
  "visit.refused": "A courier's scan failed a rule; the data names which.",
  "visit.opened": "The door (garage, fridge, trunk) opened for the courier.",
  "visit.secured": "The door was proven locked and closed again.",
  "visit.aborted": "A visit ended without opening.",
  "visit.incident": "The door was not proven secure in time, or its camera was lost.",
  "visit.door_secured": "An incident's relock proved the door secured (the parcel is not delivered by it).",
  "incident.resolved": "A person closed an incident.",
  "access_code.set": "A keypad code was set on the lock.",
  "access_code.failed": "A keypad code could not be set.",
  "access_code.issued": "An offline code was issued.",
  "access_code.used": "A keypad code was used.",
  "access_code.expired": "A keypad code expired unused.",
  "access_code.removed": "A keypad code was withdrawn or removed.",
  "visit.recorded_offline": "A visit by offline code, reconciled when the lock came back.",
  "locker.parcel_in_locker": "The parcel was placed in a locker compartment.",
  "locker.parcel_picked_up": "The resident picked the parcel up.",
  "locker.parcel_expired": "The parcel was not picked up in time.",
  "locker.parcel_collected": "A courier collected an expired parcel from the locker.",
  "locker.pickup_extended": "The resident's pickup time was extended.",
  "locker.parcel_to_package_room": "The parcel was moved to the package room.",
  "locker.return_dropped": "A return was dropped into a locker.",
};

export const WebhookEventTypeInfo = Type.Object({
  type: Type.String({ description: "The event type, as eventTypes takes it and the payload's type says." }),
  description: Type.String({ description: "When it is sent, in one sentence." }),
});

export const WebhookEventCatalogue = Type.Object({
  eventTypes: Type.Array(WebhookEventTypeInfo, {
    description: "Every event type an endpoint can subscribe to, in the catalogue's order. * subscribes to all.",
  }),
});

/** The catalogue a carrier chooses from, in the order of WEBHOOK_EVENT_TYPES. */
export function webhookEventCatalogue(): { type: WebhookEventType; description: string }[] {
  return WEBHOOK_EVENT_TYPES.map((type) => ({ type, description: DESCRIPTIONS[type] }));
}

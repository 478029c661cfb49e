import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.js";
import { visibleOrNotFound } from "../../http/ownership.js";
import { FALLBACK_TIME_ZONE, placeTimeZones } from "../shipments/index.js";
import { findShipmentById } from "../shipments/repository.js";

/** Everything printed on a shipping label, read from storage; nothing else of the site or recipient. */
export interface LabelContent {
  shipmentId: string;
  trackingNumber: string;
  carrierName: string;
  recipientName: string;
  address: { line1: string; line2: string | null; postalCode: string; city: string; country: string };
  siteName: string;
  method: string;
  window: { start: number; end: number };
  /** The zone the window is printed in: the site's own (its front door consent's), else UTC. */
  timeZone: string;
  perishable: boolean;
  signatureRequired: boolean;
  weightG: number | null;
  size: { lengthCm: number; widthCm: number; heightCm: number } | null;
}

/**
 * The label of a shipment of `carrierId`. A shipment of another carrier is answered like one that
 * does not exist (DESIGN.md rule 5): its tracking number and address are another company's data.
 */
export async function loadLabelContent(
  db: Kysely<Database>,
  carrierId: string,
  shipmentId: string,
): Promise<LabelContent> {
  const shipment = visibleOrNotFound(
    await findShipmentById(db, shipmentId),
    (s) => s.carrier_id === carrierId,
    "shipment",
  );
  const [site, recipient, carrier, zones] = await Promise.all([
    db.selectFrom("sites").selectAll().where("id", "=", shipment.site_id).executeTakeFirstOrThrow(),
    db.selectFrom("users").select("name").where("id", "=", shipment.recipient_id).executeTakeFirstOrThrow(),
    db.selectFrom("carriers").select("name").where("id", "=", shipment.carrier_id).executeTakeFirstOrThrow(),
    // The window prints in the place's zone, the same one every screen shows it in.
    placeTimeZones(db, [shipment]),
  ]);
  const size =
    shipment.length_cm !== null && shipment.width_cm !== null && shipment.height_cm !== null
      ? { lengthCm: shipment.length_cm, widthCm: shipment.width_cm, heightCm: shipment.height_cm }
      : null;
  return {
    shipmentId: shipment.id,
    trackingNumber: shipment.tracking_number,
    carrierName: carrier.name,
    recipientName: recipient.name,
    address: {
      line1: site.address_line1,
      line2: site.address_line2,
      postalCode: site.postal_code,
      city: site.city,
      country: site.country,
    },
    siteName: site.name,
    method: shipment.method,
    window: { start: Number(shipment.window_start), end: Number(shipment.window_end) },
    timeZone: zones.get(shipment.id) ?? FALLBACK_TIME_ZONE,
    perishable: shipment.perishable === 1,
    signatureRequired: shipment.signature_required === 1,
    weightG: shipment.weight_g,
    size,
  };
}

import { DELIVERY_METHODS } from "@threshold/core";
import type { Selectable } from "kysely";
import Type, { type Static } from "typebox";
import type { Database } from "../../db/schema.js";
import { idParam } from "../../http/ownership.js";
import { Time } from "../../http/schema-types.js";
import { FALLBACK_TIME_ZONE } from "./place-zone.js";

/** Methods a carrier may create: every method of DELIVERY_METHODS. */
export const SHIPMENT_METHODS = ["in_home", "in_garage", "in_fridge", "in_trunk", "locker", "doorstep"] as const;
/**
 * in_locker, for_return and returned belong to locker shipments (docs/lockers.md); collected to a
 * return taken from the recipient's trunk by the courier (docs/in-car-delivery.md).
 */
export const SHIPMENT_STATUSES = [
  "created",
  "assigned",
  "delivered",
  "collected",
  "cancelled",
  "in_locker",
  "for_return",
  "returned",
] as const;
export const SHIPMENT_DIRECTIONS = ["delivery", "return"] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

/** Delivery windows are hours, not days (Amazon Key's are about 4 h). */
export const MAX_WINDOW_MS = 12 * 60 * 60 * 1000;

const Centimetres = (description: string) => Type.Integer({ minimum: 1, maximum: 500, description });

export const TrackingNumber = Type.String({
  minLength: 4,
  maxLength: 40,
  pattern: "^[A-Za-z0-9-]+$",
  description: "The barcode on the label: 4–40 letters, digits and hyphens; unique.",
});

export const CreateShipmentBody = Type.Object(
  {
    trackingNumber: TrackingNumber,
    siteId: idParam(
      "site",
      "The destination site (sit_…), as the recipient gave it at checkout. The recipient is the site's owner.",
    ),
    method: Type.Enum(SHIPMENT_METHODS, {
      description:
        "in_home needs the recipient's consent for in_home on a front door, in_garage for in_garage on a garage, in_fridge for in_fridge on a fridge (and the perishable flag), in_trunk the recipient's car opted in to trunk delivery and a parcel with size and weight that fits its trunk (docs/in-car-delivery.md); locker needs a building with a locker bank, residentEmail and size (docs/lockers.md); doorstep needs nothing.",
    }),
    residentEmail: Type.Optional(
      Type.String({
        minLength: 3,
        maxLength: 254,
        description:
          "locker only: the resident of the building the parcel is for (the manager registers residents). The resident, not the building's owner, is the recipient.",
      }),
    ),
    direction: Type.Optional(
      Type.Enum(SHIPMENT_DIRECTIONS, {
        description:
          "delivery (default), or return: a parcel the recipient leaves in their car's trunk for the courier to collect (in_trunk only; the same visit, reversed; it ends collected).",
      }),
    ),
    window: Type.Object(
      {
        start: Time("When delivery may start (RFC 3339 with offset)."),
        end: Time("When delivery must be done; after start, at most 12 h later, and not already past."),
      },
      { additionalProperties: false },
    ),
    size: Type.Optional(
      Type.Object(
        { lengthCm: Centimetres("Length."), widthCm: Centimetres("Width."), heightCm: Centimetres("Height.") },
        { additionalProperties: false },
      ),
    ),
    weightG: Type.Optional(Type.Integer({ minimum: 1, maximum: 500_000, description: "Weight in grams." })),
    flags: Type.Optional(
      Type.Object(
        {
          perishable: Type.Optional(Type.Boolean({ default: false, description: "Keep cool." })),
          frozen: Type.Optional(
            Type.Boolean({ default: false, description: "locker only: keep frozen (a frozen compartment)." }),
          ),
          signatureRequired: Type.Optional(Type.Boolean({ default: false })),
          valueCents: Type.Optional(
            Type.Integer({ minimum: 0, maximum: 1_000_000_000, description: "Declared value, in cents." }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type CreateShipmentBody = Static<typeof CreateShipmentBody>;

export const AssignBody = Type.Object(
  { courierId: idParam("user", "A courier of your carrier (usr_…).") },
  { additionalProperties: false },
);
export type AssignBody = Static<typeof AssignBody>;

export const ShipmentParams = Type.Object({ id: idParam("shipment", "The shipment's id (shp_…).") });

export const ListShipmentsQuery = Type.Object(
  {
    status: Type.Optional(Type.Enum(SHIPMENT_STATUSES)),
    when: Type.Optional(
      Type.Enum(["upcoming", "past"], {
        description: "upcoming: the window has not ended yet; past: it has. Both when left out.",
      }),
    ),
    limit: Type.Optional(
      Type.String({ pattern: "^(?:[1-9][0-9]?|1[0-9][0-9]|200)$", description: "1–200, default 50." }),
    ),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: "nextCursor of the page before." })),
  },
  { additionalProperties: false },
);
export type ListShipmentsQuery = Static<typeof ListShipmentsQuery>;

const Address = Type.Object({
  line1: Type.String(),
  line2: Type.Union([Type.String(), Type.Null()]),
  city: Type.String(),
  postalCode: Type.String(),
  country: Type.String(),
});

/** Where a courier goes: the address, the point and how close they must be. Nothing else about the site. */
export const Destination = Type.Object({
  address: Address,
  location: Type.Object({ lat: Type.Number(), lng: Type.Number() }),
  geofenceRadiusM: Type.Integer({ description: "How close (metres) the courier must be for access." }),
});
export type Destination = Static<typeof Destination>;

export const ShipmentWindow = Type.Object({ start: Time("Window start."), end: Time("Window end.") });

export const Shipment = Type.Object(
  {
    id: Type.String({ description: "shp_…" }),
    trackingNumber: Type.String(),
    siteId: Type.String({ description: "sit_… of the destination." }),
    method: Type.Enum(DELIVERY_METHODS),
    direction: Type.Enum(SHIPMENT_DIRECTIONS),
    status: Type.Enum(SHIPMENT_STATUSES),
    window: ShipmentWindow,
    timeZone: Type.String({
      description:
        "IANA zone of the destination (its door's consent; UTC when it has none): show the window in it, and name it, as the label does.",
    }),
    size: Type.Union([
      Type.Object({ lengthCm: Type.Integer(), widthCm: Type.Integer(), heightCm: Type.Integer() }),
      Type.Null(),
    ]),
    weightG: Type.Union([Type.Integer(), Type.Null()]),
    flags: Type.Object({
      perishable: Type.Boolean(),
      signatureRequired: Type.Boolean(),
      valueCents: Type.Optional(
        Type.Union([Type.Integer(), Type.Null()], { description: "Carriers, recipients and operators only." }),
      ),
    }),
    carrierId: Type.Optional(Type.String({ description: "car_…; not shown to couriers." })),
    carrierName: Type.Optional(Type.String({ description: "Recipients and operators." })),
    courierId: Type.Optional(
      Type.Union([Type.String(), Type.Null()], {
        description: "usr_… of the assigned courier; carriers and operators.",
      }),
    ),
    recipientId: Type.Optional(Type.String({ description: "usr_… of the recipient; recipients and operators." })),
    destination: Type.Optional(Type.Union([Destination, Type.Null()], { description: "Couriers and operators." })),
    deliveryNotes: Type.Optional(
      Type.String({ description: "The recipient's notes for the courier (couriers only), e.g. pets shut away." }),
    ),
    deliveredAt: Type.Union([Time("When the door was secured after delivery."), Type.Null()]),
    deliveredVisitId: Type.Union([Type.String({ description: "vis_… of the delivering visit." }), Type.Null()]),
    createdAt: Time("When the carrier created it."),
    updatedAt: Time("Last change."),
  },
  {
    description:
      "A package. Each party sees what it needs: carriers their own data and the courier assigned; recipients who delivers what and when; couriers where to go and the recipient's notes.",
  },
);
export type Shipment = Static<typeof Shipment>;

export const ShipmentList = Type.Object({
  shipments: Type.Array(Shipment, { description: "Latest window first." }),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: "Pass as cursor for the next page." }),
});

export type ShipmentRow = Selectable<Database["shipments"]>;
export type SiteRow = Selectable<Database["sites"]>;

/** Who is looking at a shipment decides what of it they see. */
export type Viewer = "carrier" | "recipient" | "courier" | "operator";

export interface ViewExtras {
  site?: Pick<
    SiteRow,
    "address_line1" | "address_line2" | "city" | "postal_code" | "country" | "lat" | "lng" | "geofence_radius_m"
  > | null;
  carrierName?: string;
  notes?: string;
  timeZone?: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function toDestination(site: NonNullable<ViewExtras["site"]>): Destination {
  return {
    address: {
      line1: site.address_line1,
      line2: site.address_line2,
      city: site.city,
      postalCode: site.postal_code,
      country: site.country,
    },
    location: { lat: site.lat, lng: site.lng },
    geofenceRadiusM: site.geofence_radius_m,
  };
}

export function toShipment(row: ShipmentRow, viewer: Viewer, extras: ViewExtras = {}): Shipment {
  const size =
    row.length_cm !== null && row.width_cm !== null && row.height_cm !== null
      ? { lengthCm: row.length_cm, widthCm: row.width_cm, heightCm: row.height_cm }
      : null;
  const shipment: Shipment = {
    id: row.id,
    trackingNumber: row.tracking_number,
    siteId: row.site_id,
    method: row.method as Shipment["method"],
    direction: row.direction === "return" ? "return" : "delivery",
    status: row.status as ShipmentStatus,
    window: { start: iso(row.window_start), end: iso(row.window_end) },
    timeZone: extras.timeZone ?? FALLBACK_TIME_ZONE,
    size,
    weightG: row.weight_g,
    flags: { perishable: row.perishable === 1, signatureRequired: row.signature_required === 1 },
    deliveredAt: row.delivered_at === null ? null : iso(row.delivered_at),
    deliveredVisitId: row.delivered_visit_id,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
  if (viewer !== "courier") {
    shipment.flags.valueCents = row.value_cents;
    shipment.carrierId = row.carrier_id;
  }
  if (viewer === "carrier" || viewer === "operator") shipment.courierId = row.courier_id;
  if (viewer === "recipient" || viewer === "operator") {
    shipment.recipientId = row.recipient_id;
    if (extras.carrierName !== undefined) shipment.carrierName = extras.carrierName;
  }
  if (viewer === "courier" || viewer === "operator") {
    shipment.destination = extras.site ? toDestination(extras.site) : null;
  }
  if (viewer === "courier") shipment.deliveryNotes = extras.notes ?? "";
  return shipment;
}

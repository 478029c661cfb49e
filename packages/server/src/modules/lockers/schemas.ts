import { SIZE_CLASSES, TEMPERATURE_CLASSES } from "@threshold/core";
import { MAX_COMPARTMENTS } from "@threshold/protocol";
import Type, { type Static } from "typebox";
import { idParam } from "../../http/ownership.js";
import { NullableTime } from "../../http/schema-types.js";
import { TrackingNumber } from "../shipments/schemas.js";

const Centimetres = (description: string) => Type.Integer({ minimum: 1, maximum: 300, description });

export const CompartmentSpec = Type.Object(
  {
    number: Type.Integer({
      minimum: 1,
      maximum: MAX_COMPARTMENTS,
      description: "As printed on the door and known to the controller.",
    }),
    widthCm: Centimetres("Inner width."),
    heightCm: Centimetres("Inner height."),
    depthCm: Centimetres("Inner depth."),
    sizeClass: Type.Enum(SIZE_CLASSES, {
      description: "As printed on the door; allocation goes by the inner dimensions.",
    }),
    temperature: Type.Optional(Type.Enum(TEMPERATURE_CLASSES, { default: "ambient" })),
    accessible: Type.Optional(Type.Boolean({ default: false, description: "Low enough to reach from a wheelchair." })),
  },
  { additionalProperties: false },
);
export type CompartmentSpec = Static<typeof CompartmentSpec>;

export const CreateBankBody = Type.Object(
  {
    siteId: idParam("site", "The building (a site you manage)."),
    name: Type.String({ minLength: 1, maxLength: 80 }),
    controllerDeviceId: idParam("device", "The bank's locker_controller, paired at that site."),
    compartments: Type.Array(CompartmentSpec, { minItems: 1, maxItems: MAX_COMPARTMENTS }),
    pickupPeriodHours: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 720,
        description: "How long a parcel waits for its resident. Default 72 (3 days).",
      }),
    ),
    overflowDistanceM: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 50_000,
        description: "How far another bank may be to take this building's overflow. Default 500.",
      }),
    ),
    packageRoom: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: "Where the building's package room is, for parcels no compartment takes.",
      }),
    ),
    wrongCodeLimit: Type.Optional(
      Type.Integer({ minimum: 3, maximum: 20, description: "Wrong codes at the kiosk before lockout. Default 5." }),
    ),
    lockoutMinutes: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1440, description: "Kiosk lockout length. Default 15." }),
    ),
  },
  { additionalProperties: false },
);
export type CreateBankBody = Static<typeof CreateBankBody>;

export const Compartment = Type.Object({
  number: Type.Integer(),
  widthCm: Type.Integer(),
  heightCm: Type.Integer(),
  depthCm: Type.Integer(),
  sizeClass: Type.String(),
  temperature: Type.Enum(TEMPERATURE_CLASSES),
  accessible: Type.Boolean(),
  state: Type.Optional(Type.String({ description: "Managers only: free, reserved, occupied or out_of_service." })),
  outOfServiceReason: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});

export const LockerBank = Type.Object({
  id: Type.String(),
  siteId: Type.String(),
  name: Type.String(),
  pickupPeriodHours: Type.Number(),
  overflowDistanceM: Type.Integer(),
  packageRoom: Type.Union([Type.String(), Type.Null()]),
  online: Type.Boolean({ description: "False while the controller is offline (pickup still works at its keypad)." }),
  compartments: Type.Array(Compartment),
  freeCompartments: Type.Integer(),
});
export type LockerBank = Static<typeof LockerBank>;

export const LOCKER_PARCEL_STATUSES = [
  "reserved",
  "open",
  "in_locker",
  "picked_up",
  "expired",
  "collected",
  "dropped",
  "cancelled",
] as const;
export type LockerParcelStatus = (typeof LOCKER_PARCEL_STATUSES)[number];

export const LockerParcel = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal("delivery"), Type.Literal("return")]),
  label: Type.String({ description: "The shipment's tracking number, or the return's label." }),
  shipmentId: Type.Union([Type.String(), Type.Null()]),
  status: Type.Enum(LOCKER_PARCEL_STATUSES),
  bankId: Type.String(),
  bankName: Type.String(),
  compartment: Type.Integer(),
  overflow: Type.Boolean({ description: "Delivered to another building's bank because its own was full." }),
  depositedAt: NullableTime(),
  expiresAt: NullableTime("Collect before this; the carrier takes it back after."),
  extended: Type.Boolean(),
  pickedUpAt: NullableTime(),
  code: Type.Optional(
    Type.String({
      description: "The 8-digit pickup code: only for the resident and those they shared with, while it waits.",
    }),
  ),
  qr: Type.Optional(Type.String({ description: "What the pickup QR code encodes: threshold:pickup:<bankId>:<code>." })),
});
export type LockerParcel = Static<typeof LockerParcel>;

const DashboardParcel = {
  parcelId: Type.String(),
  label: Type.String({ description: "The shipment's tracking number, or the return's label." }),
  compartment: Type.Integer({ description: "The compartment's number, as printed on its door." }),
};

export const LockerDashboard = Type.Object({
  bankId: Type.String(),
  name: Type.String(),
  online: Type.Boolean({ description: "False while the controller is offline (pickup still works at its keypad)." }),
  occupancy: Type.Object({
    total: Type.Integer(),
    free: Type.Integer(),
    reserved: Type.Integer(),
    occupied: Type.Integer(),
    outOfService: Type.Integer(),
  }),
  waiting: Type.Array(
    Type.Object({
      ...DashboardParcel,
      ageHours: Type.Integer({ description: "Whole hours since the courier put it in." }),
      expiresAt: NullableTime("When it goes back to the carrier unless picked up."),
      expiringSoon: Type.Boolean({ description: "Less than a day left." }),
      overflow: Type.Boolean({ description: "Sent here because its own building's bank was full." }),
    }),
    { description: "Parcels in a compartment, waiting for their resident." },
  ),
  expired: Type.Array(Type.Object(DashboardParcel), {
    description: "Parcels past their pickup period, waiting for the carrier's courier.",
  }),
  returns: Type.Array(Type.Object({ ...DashboardParcel, status: Type.Enum(LOCKER_PARCEL_STATUSES) }), {
    description: "Residents' returns still in the bank's care.",
  }),
  outOfService: Type.Array(
    Type.Object({
      compartment: Type.Integer(),
      reason: Type.String({
        description: "The first fault reported (e.g. `did not open: jammed`) or the manager's words.",
      }),
    }),
  ),
});

export const BankParams = Type.Object({ id: idParam("lockerBank", "The locker bank's id (lkb_…).") });
export const ParcelParams = Type.Object({ id: idParam("lockerParcel", "The locker parcel's id (lkp_…).") });
export const CompartmentParams = Type.Object({
  id: idParam("lockerBank", "The locker bank's id (lkb_…)."),
  number: Type.Integer({ minimum: 1, maximum: MAX_COMPARTMENTS }),
});

export const DropOffBody = Type.Object({ trackingNumber: TrackingNumber }, { additionalProperties: false });
export type DropOffBody = Static<typeof DropOffBody>;

export const KioskCodeBody = Type.Object(
  {
    code: Type.String({
      minLength: 6,
      maxLength: 20,
      pattern: "^[0-9 -]+$",
      description: "The pickup code (8 digits) or a return's drop code, as typed or read from the QR.",
    }),
  },
  { additionalProperties: false },
);
export type KioskCodeBody = Static<typeof KioskCodeBody>;

export const AddResidentBody = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 254 }),
    unit: Type.String({ minLength: 1, maxLength: 40, description: "Flat or unit number." }),
    accessible: Type.Optional(Type.Boolean({ description: "Prefer low (accessible) compartments for this resident." })),
  },
  { additionalProperties: false },
);
export type AddResidentBody = Static<typeof AddResidentBody>;

export const StartReturnBody = Type.Object(
  {
    bankId: idParam("lockerBank", "A bank of your building."),
    carrierId: idParam("carrier", "The carrier that takes the return."),
    size: Type.Object(
      { lengthCm: Centimetres("Length."), widthCm: Centimetres("Width."), heightCm: Centimetres("Height.") },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type StartReturnBody = Static<typeof StartReturnBody>;

export const OpenInAppBody = Type.Object(
  {
    location: Type.Object(
      { lat: Type.Number({ minimum: -90, maximum: 90 }), lng: Type.Number({ minimum: -180, maximum: 180 }) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const ShareBody = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 254 }),
    wholeCompartment: Type.Optional(
      Type.Boolean({
        description:
          "Share every parcel in this parcel's compartment too. A compartment has one door and one code, so a parcel that shares its compartment with others is shared only with all of them: without this, 409 shares_compartment.",
      }),
    ),
  },
  { additionalProperties: false },
);
export type ShareBody = Static<typeof ShareBody>;

export const AuditOpenBody = Type.Object(
  { reason: Type.String({ minLength: 3, maxLength: 500, description: "Why you open it; kept in the audit log." }) },
  { additionalProperties: false },
);

export const ServiceBody = Type.Object(
  {
    inService: Type.Boolean({ description: "true: back in service; false: out of service." }),
    reason: Type.String({ minLength: 3, maxLength: 500 }),
  },
  { additionalProperties: false },
);

export const PackageRoomBody = Type.Object({ trackingNumber: TrackingNumber }, { additionalProperties: false });

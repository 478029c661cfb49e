import Type, { type Static } from "typebox";
import type { Database } from "../../db/schema.js";
import { idParam } from "../../http/ownership.js";
import { NullableTime, Time } from "../../http/schema-types.js";

export const POSITION_SHARING = ["delivery_window", "near_address"] as const;
export type PositionSharing = (typeof POSITION_SHARING)[number];
export const CAR_FALLBACKS = ["backup_address", "locker", "return"] as const;
export type CarFallback = (typeof CAR_FALLBACKS)[number];

/** A car photo travels as a data: URL; this keeps it small enough for a phone on a courier's round. */
export const MAX_PHOTO_CHARS = 200_000;
/** The car routes take a photo, so their bodies may exceed the API's usual 64 KiB. */
export const CAR_BODY_LIMIT_BYTES = 256 * 1024;

const Text = (max: number, description: string) => Type.String({ minLength: 1, maxLength: max, description });
const Photo = Type.String({
  maxLength: MAX_PHOTO_CHARS,
  pattern: "^data:image/(jpeg|png|webp);base64,[A-Za-z0-9+/=]+$",
  description: "A photo of the car as a data: URL (JPEG, PNG or WebP, at most 200,000 characters).",
});
const TrunkSize = Type.Object(
  {
    lengthCm: Type.Integer({ minimum: 10, maximum: 300 }),
    widthCm: Type.Integer({ minimum: 10, maximum: 300 }),
    heightCm: Type.Integer({ minimum: 10, maximum: 300 }),
  },
  { additionalProperties: false, description: "The trunk's inside size; parcels are turned to fit." },
);
const Sharing = Type.Enum(POSITION_SHARING, {
  description:
    "When the assigned courier may see where the car is: delivery_window (default) from the window's start to its end; near_address only once the courier is within the allowed distance of the delivery address, during the window. Never anyone else, never outside the window.",
});
const Fallback = Type.Enum(CAR_FALLBACKS, {
  description: "What the courier does when the trunk cannot be opened: backup_address, locker or return.",
});

const Settings = {
  make: Text(40, "e.g. Volvo"),
  model: Text(40, "e.g. XC40"),
  colour: Text(30, "As a courier would say it: dark blue."),
  plate: Text(15, "The number plate, as written on the car."),
  photo: Type.Optional(Type.Union([Photo, Type.Null()])),
  trunk: Type.Optional(TrunkSize),
  maxWeightG: Type.Optional(
    Type.Integer({
      minimum: 100,
      description: "Heaviest parcel, in grams; at most the server's limit (default 50 lb).",
    }),
  ),
  maxValueCents: Type.Optional(
    Type.Integer({ minimum: 0, description: "Most valuable parcel, in cents; at most the server's limit ($1,300)." }),
  ),
  positionSharing: Type.Optional(Sharing),
  requireCamera: Type.Optional(
    Type.Boolean({
      description:
        "Open the trunk only while a camera (paired with the car) films it. Off by default: most cars film nothing, and the visit is then plainly not filmed.",
    }),
  ),
  fallback: Fallback,
  fallbackNote: Type.Optional(
    Type.String({ maxLength: 300, description: "e.g. the backup address, or which locker; shown to the courier." }),
  ),
};

export const CreateCarBody = Type.Object(
  { siteId: idParam("site", "The home whose address trunk deliveries are addressed to (sit_…)."), ...Settings },
  { additionalProperties: false },
);
export type CreateCarBody = Static<typeof CreateCarBody>;

export const UpdateCarBody = Type.Object(
  {
    make: Type.Optional(Settings.make),
    model: Type.Optional(Settings.model),
    colour: Type.Optional(Settings.colour),
    plate: Type.Optional(Settings.plate),
    photo: Settings.photo,
    trunk: Settings.trunk,
    maxWeightG: Settings.maxWeightG,
    maxValueCents: Settings.maxValueCents,
    positionSharing: Settings.positionSharing,
    requireCamera: Settings.requireCamera,
    fallback: Type.Optional(Fallback),
    fallbackNote: Settings.fallbackNote,
    trunkDelivery: Type.Optional(
      Type.Boolean({ description: "Opt in to (or out of) deliveries into the trunk; needs the car paired." }),
    ),
  },
  { additionalProperties: false },
);
export type UpdateCarBody = Static<typeof UpdateCarBody>;

export const PairCarBody = Type.Object(
  {
    deviceId: idParam("device", "The car's vehicle device, paired at the car's site (dev_…)."),
    cameraDeviceIds: Type.Optional(
      Type.Array(idParam("device", "A camera in or on the car that films the trunk."), { maxItems: 4 }),
    ),
  },
  { additionalProperties: false },
);
export type PairCarBody = Static<typeof PairCarBody>;

export const CarParams = Type.Object({ id: idParam("car", "The car's id (veh_…).") });

const Position = Type.Object({
  lat: Type.Number(),
  lng: Type.Number(),
  accuracyM: Type.Number(),
});

export const CarState = Type.Object(
  {
    online: Type.Boolean(),
    drive: Type.Union([Type.Enum(["parked", "driving"] as const), Type.Null()]),
    position: Type.Union([Position, Type.Null()]),
    locks: Type.Union([Type.Enum(["locked", "trunk_unlocked", "unlocked"] as const), Type.Null()]),
    doors: Type.Union([Type.Enum(["closed", "open"] as const), Type.Null()]),
    trunk: Type.Union([Type.Enum(["closed", "open"] as const), Type.Null()]),
    lastSeenAt: NullableTime(),
  },
  { description: "What the car last reported, signed; null members when it never said." },
);
export type CarState = Static<typeof CarState>;

export const Car = Type.Object({
  id: Type.String(),
  siteId: Type.String(),
  make: Type.String(),
  model: Type.String(),
  colour: Type.String(),
  plate: Type.String(),
  photo: Type.Union([Type.String(), Type.Null()]),
  deviceId: Type.Union([Type.String(), Type.Null()], { description: "The vehicle device, once paired." }),
  accessPointId: Type.Union([Type.String(), Type.Null()], { description: "The trunk access point, once paired." }),
  trunkDelivery: Type.Boolean(),
  positionSharing: Sharing,
  requireCamera: Type.Boolean(),
  filmed: Type.Boolean({ description: "A camera witnesses the trunk; false means trunk visits are not filmed." }),
  cameraDeviceIds: Type.Array(Type.String(), {
    description: "The cameras that film the trunk (live view: GET /v1/cameras/{id}/live…); empty when not filmed.",
  }),
  fallback: Fallback,
  fallbackNote: Type.String(),
  trunk: TrunkSize,
  maxWeightG: Type.Integer(),
  maxValueCents: Type.Integer(),
  blocked: Type.Boolean(),
  blockedAt: NullableTime(),
  state: Type.Union([CarState, Type.Null()], { description: "Null until the car is paired." }),
  createdAt: Time(),
});
export type Car = Static<typeof Car>;
export const CarList = Type.Object({ cars: Type.Array(Car) });

export const CourierCarQuery = Type.Object(
  {
    lat: Type.Number({ minimum: -90, maximum: 90, description: "The courier's position now." }),
    lng: Type.Number({ minimum: -180, maximum: 180 }),
  },
  { additionalProperties: false },
);
export type CourierCarQuery = Static<typeof CourierCarQuery>;

export const CourierCar = Type.Object({
  shipmentId: Type.String(),
  make: Type.String(),
  model: Type.String(),
  colour: Type.String(),
  plate: Type.String(),
  photo: Type.Union([Type.String(), Type.Null()]),
  position: Type.Union([Position, Type.Null()], {
    description: "Null when the owner shares it only near the address and you are not there yet.",
  }),
  positionNote: Type.Union([Type.String(), Type.Null()], { description: "Why the position is hidden, if it is." }),
  distanceM: Type.Union([Type.Integer(), Type.Null()], { description: "From you to the car." }),
  bearingDeg: Type.Union([Type.Integer(), Type.Null()], { description: "Which way the car is: 0 north, 90 east." }),
  drive: Type.Union([Type.Enum(["parked", "driving"] as const), Type.Null()]),
  online: Type.Boolean(),
  filmed: Type.Boolean(),
  fallback: Fallback,
  fallbackNote: Type.String(),
});
export type CourierCar = Static<typeof CourierCar>;

export type CarRow = Database["cars"];

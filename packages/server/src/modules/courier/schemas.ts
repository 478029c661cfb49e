import { DELIVERY_METHODS } from "@threshold/core";
import Type, { type Static } from "typebox";
import { Readiness } from "../shipments/readiness.js";
import { Destination, ShipmentWindow } from "../shipments/schemas.js";

export const Stop = Type.Object({
  shipmentId: Type.String({ description: "shp_…" }),
  trackingNumber: Type.String(),
  method: Type.Enum(DELIVERY_METHODS),
  direction: Type.Enum(["delivery", "return"] as const, {
    description: "return: collect the parcel the customer left in their car's trunk (docs/in-car-delivery.md).",
  }),
  window: ShipmentWindow,
  timeZone: Type.String({
    description: "IANA zone of the place: show the window (and windowOpensAt) in it, and name it, as the label does.",
  }),
  siteId: Type.String({ description: "sit_…; send it with the scan." }),
  site: Destination,
  size: Type.Union([
    Type.Object({ lengthCm: Type.Integer(), widthCm: Type.Integer(), heightCm: Type.Integer() }),
    Type.Null(),
  ]),
  weightG: Type.Union([Type.Integer(), Type.Null()]),
  flags: Type.Object({ perishable: Type.Boolean(), signatureRequired: Type.Boolean() }),
  accessPoint: Type.Union(
    [
      Type.Object({
        id: Type.String({
          description: "acp_… of the front door, garage, fridge or car trunk the method goes through.",
        }),
        kind: Type.Enum(["front_door", "garage", "fridge", "trunk"]),
        name: Type.String(),
        notes: Type.String({ description: "The recipient's notes for the courier, e.g. 'dog shut in the kitchen'." }),
      }),
      Type.Null(),
    ],
    {
      description:
        "Where the stop's method goes: the front door (in_home), the garage (in_garage) or the fridge (in_fridge), when the site has one.",
    },
  ),
  lockerBanks: Type.Optional(
    Type.Array(
      Type.Object({
        id: Type.String({ description: "lkb_… of the bank." }),
        name: Type.String({ description: "e.g. Lobby lockers: the bank to go to." }),
        dropOff: Type.Object(
          { method: Type.Literal("POST"), path: Type.String() },
          { description: "Scan the parcel here at the bank: the best compartment opens (docs/lockers.md)." },
        ),
      }),
      {
        description:
          "Locker stops only: the banks at the building, oldest first. Go to one and scan the parcel there; the compartment opens on the scan.",
      },
    ),
  ),
  deliveredAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()], {
    description: "When this courier delivered it (only with includeDelivered=true); null while still to do.",
  }),
  readiness: Type.Union([Readiness, Type.Null()], {
    description:
      "For in-home stops: could the door open right now? Null for doorstep stops and delivered ones, which open nothing.",
  }),
});
export type Stop = Static<typeof Stop>;

export const StopsQuery = Type.Object({
  includeDelivered: Type.Optional(
    Type.Boolean({ default: false, description: "Also list the stops you delivered today, with deliveredAt." }),
  ),
});

export const StopList = Type.Object({
  stops: Type.Array(Stop, { description: "Earliest window first." }),
});

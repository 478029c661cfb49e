import { ID_BODY_PATTERN } from "@threshold/core";
import Type, { type Static } from "typebox";
import { Time } from "../../http/schema-types.js";
import { DeviceKindSchema } from "../devices/index.js";

export const FLEET_STATUSES = ["online", "offline"] as const;
export type FleetStatus = (typeof FLEET_STATUSES)[number];

export const FleetQuery = Type.Object(
  {
    status: Type.Optional(
      Type.Enum(FLEET_STATUSES, { description: "Only devices online now, or only those that are not." }),
    ),
    kind: Type.Optional(DeviceKindSchema),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, description: "1–200, default 50." })),
    cursor: Type.Optional(Type.String({ maxLength: 100, description: "nextCursor of the page before." })),
  },
  { additionalProperties: false },
);
export type FleetQuery = Static<typeof FleetQuery>;

export const FleetDevice = Type.Object({
  id: Type.String({ description: "dev_…" }),
  kind: DeviceKindSchema,
  name: Type.String(),
  model: Type.String(),
  firmware: Type.String(),
  siteId: Type.String({ description: "sit_… of the site it is paired to." }),
  siteName: Type.String(),
  online: Type.Boolean({ description: "Connected, and heard from within the last 2.5 heartbeats." }),
  lastSeenAt: Type.Union([Time("When the device last reported."), Type.Null()]),
  battery: Type.Union([Type.Integer({ minimum: 0, maximum: 100 }), Type.Null()], {
    description: "Battery percentage the device last reported; null for mains-powered devices or before a report.",
  }),
  reportedState: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], {
    description: "The state the device last reported (lock, door, recording…).",
  }),
  pairedAt: Time("When it was paired."),
  takeovers: Type.Object(
    { count: Type.Integer({ minimum: 0 }), lastAt: Type.Union([Time("The latest takeover."), Type.Null()]) },
    {
      description:
        "How often a new connection with the device's credentials took its MQTT session over (docs/operations.md); repeated takeovers mean stolen credentials.",
    },
  ),
});
export type FleetDevice = Static<typeof FleetDevice>;

export const FleetPage = Type.Object({
  devices: Type.Array(FleetDevice, { description: "Oldest paired first (by id), stable across pages." }),
  counts: Type.Object(
    { total: Type.Integer(), online: Type.Integer(), offline: Type.Integer() },
    { description: "Over every page, for the kind asked (the status filter does not narrow them)." },
  ),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: "Pass as cursor for the next page." }),
});
export type FleetPage = Static<typeof FleetPage>;

export const DEVICE_ID = new RegExp(`^dev_${ID_BODY_PATTERN}$`);

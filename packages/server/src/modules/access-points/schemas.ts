import { ACCESS_POINT_KINDS, type AccessPointKind } from "@threshold/core";
import type { Selectable } from "kysely";
import Type, { type Static } from "typebox";
import type { Database } from "../../db/schema.js";
import { idParam } from "../../http/ownership.js";
import { Device } from "../devices/index.js";

export const AccessPointKindSchema = Type.Enum(ACCESS_POINT_KINDS, { description: "What a courier may open." });

/** Most access points have one or two witness cameras; a cap keeps a request's work bounded. */
export const MAX_CAMERAS = 8;

export const CreateAccessPointBody = Type.Object(
  {
    kind: AccessPointKindSchema,
    name: Type.String({ minLength: 1, maxLength: 100, pattern: "\\S", description: "e.g. 'Front door'." }),
    actuatorDeviceId: idParam(
      "device",
      "The device that opens and locks it, paired at this site. Its kind must suit the access point: front_door and fridge take a lock, garage a garage_opener, trunk a vehicle, building_entrance a lock or keypad, compartment a locker_controller.",
    ),
    cameraDeviceIds: Type.Optional(
      Type.Array(idParam("device", "A camera paired at this site."), {
        maxItems: MAX_CAMERAS,
        uniqueItems: true,
        default: [],
        description: "Witness cameras. Access is refused while none of them is live, so add at least one.",
      }),
    ),
    viaAccessPointId: Type.Optional(
      idParam(
        "accessPoint",
        "Fridges only: the front door of this site the fridge sits behind. A fridge visit then opens the front door, then the fridge (POST /v1/visits/{id}/open-next), and locks both. The front door's cameras witness the visit.",
      ),
    ),
  },
  { additionalProperties: false },
);
export type CreateAccessPointBody = Static<typeof CreateAccessPointBody>;

export const AccessPoint = Type.Object({
  id: Type.String({ description: "acp_…" }),
  siteId: Type.String({ description: "sit_…" }),
  kind: AccessPointKindSchema,
  name: Type.String(),
  actuatorDeviceId: Type.String({ description: "dev_… of the device that opens it." }),
  cameraDeviceIds: Type.Array(Type.String(), { description: "dev_… of its witness cameras." }),
  viaAccessPointId: Type.Union([Type.String(), Type.Null()], {
    description: "acp_… of the front door a fridge sits behind; null when it is reached directly.",
  }),
  createdAt: Type.String({ format: "date-time" }),
});
export type AccessPoint = Static<typeof AccessPoint>;

export const AccessPointDetail = Type.Object({
  ...AccessPoint.properties,
  actuator: Device,
  cameras: Type.Array(Device, { description: "Its witness cameras with their current state." }),
  fridge: Type.Union(
    [
      Type.Object({
        temperatureC: Type.Union([Type.Number(), Type.Null()], {
          description: "The inside temperature the fridge's lock last reported (°C); null when unknown or offline.",
        }),
        maxTemperatureC: Type.Number({ description: "Warmer than this during or after a visit raises an alert." }),
        tooWarm: Type.Boolean(),
      }),
      Type.Null(),
    ],
    { description: "Fridges only: the temperature inside." },
  ),
  garage: Type.Union(
    [
      Type.Object({
        door: Type.Union([Type.String(), Type.Null()], {
          description: "closed, opening, open or closing, as the opener last reported; null when unknown or offline.",
        }),
        obstructed: Type.Union([Type.Boolean(), Type.Null()], { description: "The safety beam is broken." }),
      }),
      Type.Null(),
    ],
    { description: "Garages only: where the door is." },
  ),
});
export type AccessPointDetail = Static<typeof AccessPointDetail>;

export const AccessPointList = Type.Object({ accessPoints: Type.Array(AccessPoint) });

export type AccessPointRow = Selectable<Database["access_points"]>;

export function toAccessPoint(row: AccessPointRow, cameraDeviceIds: readonly string[]): AccessPoint {
  return {
    id: row.id,
    siteId: row.site_id,
    kind: row.kind as AccessPointKind,
    name: row.name,
    actuatorDeviceId: row.actuator_device_id,
    cameraDeviceIds: [...cameraDeviceIds],
    viaAccessPointId: row.via_access_point_id ?? null,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

import { ACCESS_POINT_KINDS, type AccessPointKind } from "@threshold/core";
import type { Selectable } from "kysely";
import Type, { type Static } from "typebox";
import type { Database } from "../../db/schema.js";
import { idParam } from "../../http/ownership.js";
import { Device } from "../devices/schemas.js";

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
  createdAt: Type.String({ format: "date-time" }),
});
export type AccessPoint = Static<typeof AccessPoint>;

export const AccessPointDetail = Type.Object({
  ...AccessPoint.properties,
  actuator: Device,
  cameras: Type.Array(Device, { description: "Its witness cameras with their current state." }),
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
    createdAt: new Date(row.created_at).toISOString(),
  };
}

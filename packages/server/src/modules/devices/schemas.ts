import { DEVICE_KINDS, type DeviceKind } from "@threshold/core";
import type { Selectable } from "kysely";
import Type, { type Static } from "typebox";
import type { Database } from "../../db/schema.js";
import { Time } from "../../http/schema-types.js";
import type { CameraFreshness } from "../video/freshness.js";
import { isOnline, type Liveness, reportedState } from "./liveness.js";

export const DeviceKindSchema = Type.Enum(DEVICE_KINDS, { description: "What the device is." });

export const DeviceName = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: "\\S",
  description: "What the owner calls the device, e.g. 'Front door lock'.",
});

const Online = Type.Boolean({ description: "Connected, and heard from within the last 2.5 heartbeats." });
const LastSeenAt = Type.Union([Time("When the device last reported."), Type.Null()]);

export const Device = Type.Object({
  id: Type.String({ description: "dev_… (also its MQTT username)." }),
  siteId: Type.String({ description: "sit_… of the site it is paired to." }),
  kind: DeviceKindSchema,
  name: Type.String(),
  model: Type.String(),
  firmware: Type.String(),
  online: Online,
  lastSeenAt: LastSeenAt,
  reportedState: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], {
    description: "The state the device last reported (locked, closed, battery…), or null before its first report.",
  }),
  trustedKid: Type.String({ description: "The server key the device trusts to sign its commands." }),
  pairedAt: Time("When the owner entered its pairing code."),
  takeovers: Type.Object(
    {
      count: Type.Integer({ minimum: 0 }),
      lastAt: Type.Union([Time("The latest takeover."), Type.Null()]),
    },
    {
      description:
        "How often a new connection with this device's credentials took its MQTT session over while it was connected (docs/operations.md). Now and then is a flaky network; repeatedly, someone else has its credentials: remove it and pair it again.",
    },
  ),
  video: Type.Union(
    [
      Type.Object({
        freshness: Type.Union([Type.Literal("live"), Type.Literal("stale")]),
        lastFrameAt: Type.Union([Time("Capture time of the newest segment's last frame."), Type.Null()]),
      }),
      Type.Null(),
    ],
    {
      description:
        "A camera's video as the server sees it (GET /v1/cameras/{id}/freshness): the only trustworthy sign that it is live, whatever its reportedState says. null for devices that are not cameras.",
    },
  ),
});
export type Device = Static<typeof Device>;

/** What a site shows of each device. */
export const DeviceSummary = Type.Object({
  id: Type.String({ description: "dev_…" }),
  kind: DeviceKindSchema,
  name: Type.String(),
  online: Online,
  lastSeenAt: LastSeenAt,
});
export type DeviceSummary = Static<typeof DeviceSummary>;

export const DeviceList = Type.Object({ devices: Type.Array(Device) });

export const RenameDeviceBody = Type.Object({ name: DeviceName }, { additionalProperties: false });
export type RenameDeviceBody = Static<typeof RenameDeviceBody>;

/** A device row without its secret hash, which never leaves the repository. */
export type DeviceRow = Omit<
  Selectable<Database["devices"]>,
  "secret_hash" | "offline_secret" | "state_at" | "offline_after"
>;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** `video` is the camera's freshness (video module), and ignored for other kinds. */
export function toDevice(row: DeviceRow, liveness: Liveness, video: CameraFreshness | undefined): Device {
  return {
    id: row.id,
    siteId: row.site_id,
    kind: row.kind as DeviceKind,
    name: row.name,
    model: row.model,
    firmware: row.firmware,
    online: isOnline(row, liveness),
    lastSeenAt: iso(row.last_seen_at),
    reportedState: reportedState(row.reported_state),
    trustedKid: row.trusted_kid,
    pairedAt: new Date(row.paired_at).toISOString(),
    takeovers: { count: row.takeover_count ?? 0, lastAt: iso(row.last_takeover_at ?? null) },
    video:
      row.kind === "camera"
        ? { freshness: video?.freshness ?? "stale", lastFrameAt: iso(video?.lastFrameAt ?? null) }
        : null,
  };
}

export function toDeviceSummary(row: DeviceRow, liveness: Liveness): DeviceSummary {
  return {
    id: row.id,
    kind: row.kind as DeviceKind,
    name: row.name,
    online: isOnline(row, liveness),
    lastSeenAt: iso(row.last_seen_at),
  };
}

import type { Liveness } from "../devices/index.js";
import { isOnline, reportedState } from "../devices/index.js";
import type { Car, CarRow, CarState } from "./schemas.js";

type DeviceRow = { online: number; last_seen_at: number | null; reported_state: string | null };

/** The car's signed report, member by member; anything it did not say (or said oddly) is null. */
export function carStateOf(device: DeviceRow | undefined, liveness: Liveness): CarState | null {
  if (!device) return null;
  const state = reportedState(device.reported_state);
  const position = state?.position as { lat?: unknown; lng?: unknown; accuracyM?: unknown } | undefined;
  const online = isOnline(device, liveness);
  return {
    online,
    drive: oneOf(state?.drive, ["parked", "driving"] as const),
    position:
      typeof position?.lat === "number" && typeof position.lng === "number"
        ? {
            lat: position.lat,
            lng: position.lng,
            accuracyM: typeof position.accuracyM === "number" ? position.accuracyM : 0,
          }
        : null,
    locks: oneOf(state?.locks, ["locked", "trunk_unlocked", "unlocked"] as const),
    doors: oneOf(state?.doors, ["closed", "open"] as const),
    trunk: oneOf(state?.trunk, ["closed", "open"] as const),
    lastSeenAt: device.last_seen_at === null ? null : new Date(device.last_seen_at).toISOString(),
  };
}

export function toCar(row: CarRow, state: CarState | null, cameraDeviceIds: string[]): Car {
  return {
    id: row.id,
    siteId: row.site_id,
    make: row.make,
    model: row.model,
    colour: row.colour,
    plate: row.plate,
    photo: row.photo,
    deviceId: row.device_id,
    accessPointId: row.access_point_id,
    trunkDelivery: row.trunk_delivery === 1,
    positionSharing: row.position_sharing as Car["positionSharing"],
    requireCamera: row.require_camera === 1,
    filmed: cameraDeviceIds.length > 0,
    cameraDeviceIds,
    fallback: row.fallback as Car["fallback"],
    fallbackNote: row.fallback_note,
    trunk: { lengthCm: row.trunk_length_cm, widthCm: row.trunk_width_cm, heightCm: row.trunk_height_cm },
    maxWeightG: row.max_weight_g,
    maxValueCents: Number(row.max_value_cents),
    blocked: row.blocked_at !== null,
    blockedAt: row.blocked_at === null ? null : new Date(Number(row.blocked_at)).toISOString(),
    state,
    createdAt: new Date(Number(row.created_at)).toISOString(),
  };
}

const FALLBACK_WORDS: Record<string, string> = {
  backup_address: "deliver to the customer's backup address",
  locker: "take it to the customer's locker",
  return: "return it to the depot",
};

/** What the courier is told to do instead, in one sentence. */
export function fallbackSentence(row: Pick<CarRow, "fallback" | "fallback_note">): string {
  const what = FALLBACK_WORDS[row.fallback] ?? "return it to the depot";
  const note = row.fallback_note.trim();
  return `The customer's fallback: ${what}${note ? ` (${note})` : ""}.`;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[]): T | null {
  return typeof value === "string" && (allowed as readonly string[]).includes(value) ? (value as T) : null;
}

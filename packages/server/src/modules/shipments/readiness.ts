import { consentAllows, type DeliveryMethod, fridgeTooWarm, insideWindow } from "@threshold/core";
import Type, { type Static } from "typebox";
import type { Database } from "../../db/schema.js";
import { isOnline, type Liveness } from "../devices/index.js";
import type { SiteAccessPoint } from "./site-access-points.js";

export const Readiness = Type.Object(
  {
    lockOnline: Type.Boolean({ description: "The lock is connected and heard from recently." }),
    lockLocked: Type.Boolean({ description: "An online lock reports locked." }),
    doorClosed: Type.Boolean({ description: "An online lock's door sensor reports closed." }),
    cameraLive: Type.Boolean({
      description:
        "A witness camera is online and its newest video segment is fresh (GET /v1/cameras/{id}/freshness); what the camera says of itself is not trusted.",
    }),
    consentGiven: Type.Boolean({ description: "The recipient allows this method through this door now." }),
    blocked: Type.Boolean({ description: "The recipient has blocked all access to the site." }),
    inWindow: Type.Boolean({
      description: "Now is inside the shipment's delivery window (the scan refuses outside_window).",
    }),
    windowOpensAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()], {
      description: "When the window has not begun yet: when it opens. Null inside the window or after it ended.",
    }),
    ready: Type.Boolean({ description: "All of the above as needed: the door could open if the courier were there." }),
    garage: Type.Optional(
      Type.Object(
        {
          door: Type.Union([Type.String(), Type.Null()], {
            description: "closed, opening, open or closing, as the opener reports; null when offline.",
          }),
          obstructed: Type.Union([Type.Boolean(), Type.Null()], { description: "The safety beam is broken." }),
        },
        {
          description:
            "in_garage only. For a garage, lockOnline means the opener is online, lockLocked and doorClosed that the door is fully closed and at rest with a clear doorway.",
        },
      ),
    ),
    car: Type.Optional(
      Type.Object(
        {
          drive: Type.Union([Type.String(), Type.Null()], {
            description: "parked or driving, as the car reports; null when it is unreachable.",
          }),
          filmed: Type.Boolean({ description: "A camera witnesses the trunk; false: the visit is not filmed." }),
        },
        {
          description:
            "in_trunk only. lockOnline means the car is reachable, lockLocked that it is locked, doorClosed that its trunk and doors are shut. The car's distance from the address and from you is checked at the scan (GET /v1/courier/stops/{id}/car shows it).",
        },
      ),
    ),
    fridge: Type.Optional(
      Type.Object(
        {
          temperatureC: Type.Union([Type.Number(), Type.Null()], {
            description: "Inside temperature the fridge's lock reports (°C); null when offline.",
          }),
          maxTemperatureC: Type.Number({ description: "Warmer than this, the fridge takes no delivery." }),
          tooWarm: Type.Boolean({
            description:
              "The fridge reports warmer than maxTemperatureC: not ready, and the scan is refused fridge_warm.",
          }),
        },
        {
          description:
            "in_fridge only. For a fridge behind a front door, lockOnline, lockLocked and doorClosed hold only when both the front door's lock and the fridge's lock report so, and cameraLive is the front door's witness: what the scan checks.",
        },
      ),
    ),
  },
  { description: "Whether the door could be opened right now; the scan re-checks everything." },
);
export type Readiness = Static<typeof Readiness>;

export type DeviceState = Pick<Database["devices"], "id" | "online" | "last_seen_at" | "reported_state">;

function stateOf(device: DeviceState | undefined, liveness: Liveness): Record<string, unknown> | null {
  // A silent device's last report may be stale: fail closed and trust only online devices.
  if (!device || !isOnline(device, liveness) || device.reported_state === null) return null;
  try {
    const value: unknown = JSON.parse(device.reported_state);
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * A pure summary of DESIGN.md rule 1's device, consent, block and window checks for one door at one
 * instant (the scan adds the courier's own checks: assignment, geofence, other visits).
 */
export function readinessOf(
  door: SiteAccessPoint | null,
  /**
   * The access point the courier passes first (a fridge's front door, `viaAccessPointId`): its lock
   * and witness camera count too, as at the scan. undefined when the door has none; null when it
   * has one that is gone (then nothing is ready: fail closed).
   */
  via: SiteAccessPoint | null | undefined,
  devices: ReadonlyMap<string, DeviceState>,
  site: { access_blocked_at: number | null },
  method: DeliveryMethod,
  liveness: Liveness,
  /** Cameras whose video is fresh (liveCameras in the video module). */
  freshCameras: ReadonlySet<string>,
  /** FRIDGE_MAX_TEMPERATURE_C: the same limit the scan holds a fridge to. */
  fridgeMaxTemperatureC: number,
  /** The shipment's delivery window (epoch ms): outside it the scan refuses, so the door is not ready. */
  window: { start: number; end: number },
): Readiness {
  const inWindow = insideWindow(liveness.now, window.start, window.end);
  const blocked = site.access_blocked_at !== null;
  const lock = door ? devices.get(door.actuatorDeviceId) : undefined;
  const lockState = stateOf(lock, liveness);
  const front = via === undefined ? null : frontDoorReadiness(via, devices, liveness);
  const lockOnline = lock !== undefined && isOnline(lock, liveness) && (front?.lockOnline ?? true);
  const isGarage = door?.kind === "garage";
  const isTrunk = door?.kind === "trunk";
  // A garage has no bolt: fully closed, at rest, with a clear doorway is its "locked".
  const lockLocked = isGarage
    ? lockState?.door === "closed" && lockState.obstructed === false
    : isTrunk
      ? lockState?.locks === "locked"
      : lockState?.lock === "locked" && (front?.lockLocked ?? true);
  const doorClosed = isTrunk
    ? lockState?.trunk === "closed" && lockState.doors === "closed"
    : lockState?.door === "closed" && (front?.doorClosed ?? true);
  // Behind a front door, the front door's camera is the witness (the scan records with it).
  const witnesses = via === undefined ? (door?.cameraDeviceIds ?? []) : (via?.cameraDeviceIds ?? []);
  const cameraLive = witnesses.some((id) => {
    const camera = devices.get(id);
    return camera !== undefined && isOnline(camera, liveness) && freshCameras.has(id);
  });
  const consentGiven = door !== null && consentAllows(door.consent, method, liveness.now);
  const fridge =
    door?.kind === "fridge"
      ? {
          temperatureC: typeof lockState?.temperatureC === "number" ? lockState.temperatureC : null,
          maxTemperatureC: fridgeMaxTemperatureC,
        }
      : null;
  // The scan refuses a fridge already too warm (fridge_warm), so the stop must not say ready.
  const fridgeTooWarmNow = fridge !== null && fridgeTooWarm(fridge);
  return {
    lockOnline,
    lockLocked,
    doorClosed,
    cameraLive,
    consentGiven,
    blocked,
    inWindow,
    windowOpensAt: liveness.now < window.start ? new Date(window.start).toISOString() : null,
    // A car without a camera is visited unfilmed (docs/decisions.md); one with a camera needs it live.
    ready:
      lockOnline &&
      lockLocked &&
      doorClosed &&
      (cameraLive || (isTrunk && (door?.cameraDeviceIds.length ?? 0) === 0)) &&
      consentGiven &&
      !blocked &&
      !fridgeTooWarmNow &&
      inWindow &&
      (!isTrunk || lockState?.drive === "parked"),
    ...(isTrunk
      ? {
          car: {
            drive: typeof lockState?.drive === "string" ? lockState.drive : null,
            filmed: (door?.cameraDeviceIds.length ?? 0) > 0,
          },
        }
      : {}),
    ...(isGarage
      ? {
          garage: {
            door: typeof lockState?.door === "string" ? lockState.door : null,
            obstructed: typeof lockState?.obstructed === "boolean" ? lockState.obstructed : null,
          },
        }
      : {}),
    ...(fridge ? { fridge: { ...fridge, tooWarm: fridgeTooWarmNow } } : {}),
  };
}

/** The front door a fridge is reached through: its lock must be online, locked and closed too. */
function frontDoorReadiness(
  via: SiteAccessPoint | null,
  devices: ReadonlyMap<string, DeviceState>,
  liveness: Liveness,
): { lockOnline: boolean; lockLocked: boolean; doorClosed: boolean } {
  const lock = via ? devices.get(via.actuatorDeviceId) : undefined;
  const state = stateOf(lock, liveness);
  return {
    lockOnline: lock !== undefined && isOnline(lock, liveness),
    lockLocked: state?.lock === "locked",
    doorClosed: state?.door === "closed",
  };
}

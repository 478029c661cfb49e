import type { DeviceKind } from "./operator-data";

/** What operators call things, in one place. */
export const DEVICE_KIND_WORDS: Record<DeviceKind, string> = {
  lock: "Lock",
  camera: "Camera",
  garage_opener: "Garage opener",
  locker_controller: "Locker controller",
  vehicle: "Vehicle",
  keypad: "Keypad",
};

export const DEVICE_KINDS = Object.keys(DEVICE_KIND_WORDS) as DeviceKind[];

/** Incident kinds as the watchdog and visit service raise them. */
export const INCIDENT_KIND_WORDS: Record<string, string> = {
  not_secured: "Door not proven locked in time",
  lock_failed: "Lock failed",
  camera_lost: "Camera lost during a visit",
  car_moved: "Car moved during a trunk visit",
  server_restarted: "Server restarted during a visit",
};

/** What the person who resolved an incident said of the parcel. */
export const INCIDENT_OUTCOME_WORDS: Record<string, string> = {
  delivered: "Parcel delivered",
  not_delivered: "Parcel not delivered",
};

export function incidentKindWords(kind: string): string {
  return INCIDENT_KIND_WORDS[kind] ?? kind.replaceAll("_", " ");
}

/** Battery below this is worth a visit before it refuses to unlock. */
export const LOW_BATTERY = 20;

import type { DeliveryMethod } from "@threshold/core";
import type { CommandAction } from "@threshold/protocol";

/**
 * What opening and securing mean for one kind of actuator. The visit flow is the same for every
 * access point (DESIGN.md rule 1); only the commands and the signed state that proves each step
 * differ. The kind follows from the shipment's method (in_garage: a garage opener; in_home and
 * in_fridge: a lock), so a visit never needs a query to know it.
 */
/** A reported state as the ack carries it or the devices table stores it. */
type State = Readonly<Record<string, unknown>> | null | undefined;

export interface Actuator {
  kind: "lock" | "garage_opener" | "vehicle";
  /** What the courier is told about, in incident details. */
  noun: string;
  open: CommandAction;
  secure: CommandAction;
  /** The device's own signed state, after its open command, shows it open. */
  isOpen(state: State): boolean;
  /** The signed state shows it secured: for a lock, locked with the door closed. */
  isSecured(state: State): boolean;
  /** A reported state that calls for the secure command again (after an abort that may have opened it). */
  needsSecuring(state: State): boolean;
  /** The incident kind when the secure command does not prove it secured. */
  secureFailedIncident: string;
}

export const LOCK: Actuator = {
  kind: "lock",
  noun: "door",
  open: "unlock",
  secure: "lock",
  isOpen: (state) => state?.lock === "unlocked",
  isSecured: (state) => state?.lock === "locked" && state.door === "closed",
  needsSecuring: (state) => state?.lock === "unlocked",
  secureFailedIncident: "lock_failed",
};

/** A garage door has no bolt: fully closed, at rest, with a clear doorway is its "locked". */
export const GARAGE_OPENER: Actuator = {
  kind: "garage_opener",
  noun: "garage",
  open: "open",
  secure: "close",
  isOpen: (state) => typeof state?.obstructed === "boolean" && state.door === "open",
  isSecured: (state) => state?.obstructed === false && state.door === "closed",
  needsSecuring: (state) => typeof state?.obstructed === "boolean" && state.door !== "closed",
  secureFailedIncident: "close_failed",
};

/**
 * A car (docs/in-car-delivery.md): `unlock_trunk` releases only the trunk; secured is the whole car
 * locked with the trunk and every door shut — a trunk left open cannot be locked.
 */
export const VEHICLE: Actuator = {
  kind: "vehicle",
  noun: "trunk",
  open: "unlock_trunk",
  secure: "lock",
  isOpen: (state) => typeof state?.drive === "string" && state.locks !== "locked" && state.locks !== undefined,
  isSecured: (state) =>
    typeof state?.drive === "string" &&
    state.locks === "locked" &&
    state.trunk === "closed" &&
    state.doors === "closed",
  // Only the trunk release a visit may have caused: a car its owner unlocked is theirs to unlock.
  needsSecuring: (state) => typeof state?.drive === "string" && state.locks === "trunk_unlocked",
  secureFailedIncident: "car_lock_failed",
};

export function actuatorForMethod(method: DeliveryMethod | string): Actuator {
  if (method === "in_trunk") return VEHICLE;
  return method === "in_garage" ? GARAGE_OPENER : LOCK;
}

export function actuatorForDeviceKind(kind: string): Actuator {
  if (kind === "vehicle") return VEHICLE;
  return kind === "garage_opener" ? GARAGE_OPENER : LOCK;
}

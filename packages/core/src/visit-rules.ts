import { type Consent, consentAllows, type DeliveryMethod } from "./consent.js";
import { distanceMeters, type GeoPoint } from "./geo.js";
import { isOpeningMethod } from "./roles.js";
import {
  type CarFacts,
  type CarRefusalCode,
  carRefusals,
  type Parcel,
  type ParcelFitCode,
  parcelFit,
} from "./trunk-rules.js";

/** Why a visit may not open: one code per failed rule of DESIGN.md rule 1. */
export const REFUSAL_CODES = [
  "not_assigned",
  "already_delivered",
  "method_not_in_home",
  "wrong_site",
  "outside_window",
  "outside_geofence",
  "no_access_point",
  "no_consent",
  "access_blocked",
  "camera_not_live",
  "lock_offline",
  "lock_jammed",
  "lock_not_locked",
  "door_open",
  "visit_in_progress",
  "courier_busy",
  // Garages and fridges (docs/garage-and-fridge.md).
  "garage_offline",
  "garage_not_closed",
  "garage_obstructed",
  "fridge_offline",
  "fridge_not_locked",
  "fridge_open",
  "fridge_warm",
  // Cars (docs/in-car-delivery.md).
  "car_offline",
  "car_blocked",
  "car_driving",
  "car_position_unknown",
  "car_too_far_from_address",
  "courier_too_far_from_car",
  "car_not_locked",
  "trunk_open",
  "parcel_unmeasured",
  "parcel_too_large",
  "parcel_too_heavy",
  "parcel_too_valuable",
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

export interface Refusal {
  code: RefusalCode;
  /** A sentence for the courier at the door: what is wrong and what to do. */
  message: string;
}

/** Everything the rules look at, gathered by the caller at the moment of the scan. */
export interface VisitFacts {
  now: number;
  courierId: string;
  courierLocation: GeoPoint;
  /** The stop the courier says they are at, when the app sends it. */
  claimedSiteId: string | null;
  shipment: {
    courierId: string | null;
    siteId: string;
    method: DeliveryMethod;
    status: string;
    windowStart: number;
    windowEnd: number;
  } | null;
  site: { location: GeoPoint; geofenceRadiusM: number; blocked: boolean } | null;
  accessPoint: { consent: Consent | null } | null;
  /** The actuator when it is a lock (front doors, fridges); null when there is none. */
  lock: { online: boolean; lock: string | null; door: string | null } | null;
  /** Set, instead of `lock`, when the access point is a garage: its opener's report. */
  garage?: { online: boolean; door: string | null; obstructed: boolean | null } | null;
  /** Set when the access point is a fridge behind `lock`'s front door: the fridge's own lock, checked too. */
  innerLock?: {
    online: boolean;
    lock: string | null;
    door: string | null;
    /** Inside temperature the fridge's lock reports (°C); null when it reports none. */
    temperatureC?: number | null;
    /** Warmer than this, perishables must not go in (FRIDGE_MAX_TEMPERATURE_C). */
    maxTemperatureC?: number;
  } | null;
  /**
   * Set, instead of `lock`, when the access point is a car's trunk. The car's position replaces the
   * site's geofence: the car must be near the address, and the courier near the car.
   */
  car?: CarFacts | null;
  /** The parcel, for the trunk's size, weight and value limits. */
  parcel?: Parcel;
  camera: { live: boolean } | null;
  visitInProgressAtDoor: boolean;
  courierHasVisitInProgress: boolean;
}

const MESSAGES: Record<RefusalCode, string> = {
  not_assigned: "This package is not assigned to you. Check the label, or call dispatch.",
  already_delivered: "This package has already been delivered.",
  method_not_in_home: "This package is not for in-home delivery. Leave it at the door as the label says.",
  wrong_site: "This package belongs at another address. Check the stop.",
  outside_window: "It is outside this delivery's time window. Do not open; follow dispatch's instructions.",
  outside_geofence: "You are not at the delivery address yet. Move to the door and scan again.",
  no_access_point: "This address has no door set up for in-home delivery. Leave the package at the door.",
  no_consent: "The customer has not allowed in-home delivery at this time. Leave the package at the door.",
  access_blocked: "The customer has blocked access. Do not open; leave the package at the door.",
  camera_not_live: "The home's camera is not live, so the door cannot be opened. Leave the package at the door.",
  lock_offline: "The lock is not reachable right now. Leave the package at the door.",
  lock_jammed: "The lock reports a jam. Do not force it; leave the package at the door.",
  lock_not_locked: "The lock does not report locked, so it cannot be opened safely. Leave the package at the door.",
  door_open: "The door sensor says the door is open. Do not enter; leave the package at the door.",
  visit_in_progress: "Another delivery is in progress at this door. Wait for it to finish, then scan again.",
  courier_busy: "Finish your current stop (lock the door) before opening the next one.",
  garage_offline: "The garage door opener is not reachable right now. Leave the package at the door.",
  garage_not_closed:
    "The garage does not report closed (open or moving), so it cannot be opened safely. Leave the package at the door.",
  garage_obstructed:
    "The garage door's safety sensor reports something in the doorway. Do not open; leave the package at the door.",
  fridge_offline: "The fridge's lock is not reachable right now. Do not open the door; leave the package at the door.",
  fridge_not_locked:
    "The fridge does not report locked, so it cannot be opened safely. Do not open the door; leave the package at the door.",
  fridge_open: "The fridge reports its door open. Do not open the front door; leave the package at the door.",
  fridge_warm:
    "The fridge reports it is too warm for groceries. Do not open the door; follow dispatch's instructions for perishables.",
  car_offline: "The car is not reachable right now, so its trunk cannot be opened. Use the customer's fallback.",
  car_blocked: "The customer has blocked deliveries to this car. Do not open; use the customer's fallback.",
  car_driving: "The car is being driven, not parked. Do not open; use the customer's fallback.",
  car_position_unknown:
    "The car has not reported where it is, so its trunk cannot be opened. Use the customer's fallback.",
  car_too_far_from_address:
    "The car is parked too far from the delivery address for trunk delivery. Use the customer's fallback.",
  courier_too_far_from_car:
    "You are not at the car yet. Walk to the car (plate and colour on the stop) and scan again.",
  car_not_locked: "The car does not report locked, so its trunk cannot be opened safely. Use the customer's fallback.",
  trunk_open: "The car reports its trunk open. Do not put the package in; use the customer's fallback.",
  parcel_unmeasured:
    "This package has no recorded size or weight, so it cannot go in a trunk. Use the customer's fallback.",
  parcel_too_large: "This package is larger than the car's trunk allows. Use the customer's fallback.",
  parcel_too_heavy: "This package is heavier than trunk delivery allows. Use the customer's fallback.",
  parcel_too_valuable: "This package is worth more than trunk delivery allows. Use the customer's fallback.",
};

export function refusal(code: RefusalCode): Refusal {
  return { code, message: MESSAGES[code] };
}

/**
 * DESIGN.md rule 1, as a pure function: every rule that fails is named, so the courier and the
 * recipient learn all that is wrong at once. An empty list, and only an empty list, allows opening.
 * Anything unknown (no lock state, no camera) fails: the rules fail closed.
 */
export function checkVisit(facts: VisitFacts): Refusal[] {
  const { shipment, site, accessPoint, lock, camera } = facts;
  // Without a shipment assigned to this courier nothing else may be revealed about the address.
  if (!shipment || shipment.courierId !== facts.courierId) return [refusal("not_assigned")];
  // A return collected from a trunk is as finished as a delivered parcel.
  if (shipment.status === "delivered" || shipment.status === "collected") return [refusal("already_delivered")];
  // Only methods that open something come here; the code keeps its first name for compatibility.
  if (!isOpeningMethod(shipment.method)) return [refusal("method_not_in_home")];

  const codes: RefusalCode[] = [];
  if (facts.claimedSiteId !== null && facts.claimedSiteId !== shipment.siteId) codes.push("wrong_site");
  if (!insideWindow(facts.now, shipment.windowStart, shipment.windowEnd)) codes.push("outside_window");
  // A car is its own moving site: the courier must be at the car (car checks below), not the door.
  const trunk = facts.car !== undefined;
  if (!trunk && (!site || distanceMeters(facts.courierLocation, site.location) > site.geofenceRadiusM))
    codes.push("outside_geofence");
  if (!accessPoint) codes.push("no_access_point");
  else if (!consentAllows(accessPoint.consent, shipment.method, facts.now)) codes.push("no_consent");
  if (site?.blocked) codes.push("access_blocked");
  if (accessPoint && trunk) {
    codes.push(...trunkRefusals(facts, site?.location ?? null));
  } else if (accessPoint) {
    if (!camera?.live) codes.push("camera_not_live");
    if (facts.garage !== undefined) codes.push(...garageRefusals(facts.garage));
    else codes.push(...lockRefusals(lock));
    if (facts.innerLock !== undefined) codes.push(...fridgeRefusals(facts.innerLock));
  }
  if (facts.visitInProgressAtDoor) codes.push("visit_in_progress");
  if (facts.courierHasVisitInProgress) codes.push("courier_busy");
  return codes.map(refusal);
}

/**
 * A trunk: the car's checks and the parcel's fit. A camera is required only when the car has one or
 * the recipient asked for one (docs/decisions.md: most cars film nothing, and trunk delivery was
 * never filmed); a car camera that is there but not live fails closed like any witness.
 */
function trunkRefusals(facts: VisitFacts, address: GeoPoint | null): (CarRefusalCode | ParcelFitCode | RefusalCode)[] {
  const car = facts.car ?? null;
  const codes: (CarRefusalCode | ParcelFitCode | RefusalCode)[] = [];
  if ((facts.camera !== null || car?.requireCamera) && !facts.camera?.live) codes.push("camera_not_live");
  codes.push(...carRefusals(car, address, facts.courierLocation));
  if (car && facts.parcel) codes.push(...parcelFit(facts.parcel, car.limits));
  return codes;
}

function lockRefusals(lock: VisitFacts["lock"]): RefusalCode[] {
  const codes: RefusalCode[] = [];
  if (!lock?.online) codes.push("lock_offline");
  else if (lock.lock === "jammed") codes.push("lock_jammed");
  else if (lock.lock !== "locked") codes.push("lock_not_locked");
  if (lock?.online && lock.door !== "closed") codes.push("door_open");
  return codes;
}

/** A garage has no bolt: fully closed, at rest and with a clear doorway is its "locked and closed". */
function garageRefusals(garage: VisitFacts["garage"]): RefusalCode[] {
  if (!garage?.online) return ["garage_offline"];
  const codes: RefusalCode[] = [];
  if (garage.door !== "closed") codes.push("garage_not_closed");
  if (garage.obstructed !== false) codes.push("garage_obstructed");
  return codes;
}

/** The fridge behind a front door must be ready before the front door opens for it. */
function fridgeRefusals(fridge: VisitFacts["innerLock"]): RefusalCode[] {
  if (!fridge?.online) return ["fridge_offline"];
  const codes: RefusalCode[] = [];
  if (fridge.lock !== "locked") codes.push("fridge_not_locked");
  if (fridge.door !== "closed") codes.push("fridge_open");
  if (fridgeTooWarm(fridge)) codes.push("fridge_warm");
  return codes;
}

/**
 * A fridge already warmer than its limit would spoil what it is given: it is not ready, and the
 * scan refuses it. A fridge lock that reports no temperature is not held to it (nothing is known
 * to be wrong, and the door's safety does not depend on it).
 */
export function fridgeTooWarm(fridge: { temperatureC?: number | null; maxTemperatureC?: number }): boolean {
  return (
    typeof fridge.temperatureC === "number" &&
    typeof fridge.maxTemperatureC === "number" &&
    fridge.temperatureC > fridge.maxTemperatureC
  );
}

/** A delivery window includes its start and excludes its end; the scan and the stops' readiness both ask here. */
export function insideWindow(now: number, windowStart: number, windowEnd: number): boolean {
  return now >= windowStart && now < windowEnd;
}

import { distanceMeters, type GeoPoint } from "./geo.js";

/**
 * In-car (trunk) delivery's own rules (docs/in-car-delivery.md): the parcel must fit the trunk, and
 * the car must be parked, near the delivery address and near the courier. Pure: the caller gathers
 * the facts (the car's signed report, the courier's position, the configured limits).
 */

/** What a trunk takes: its inside size and the weight and value limits that apply to it. */
export interface TrunkLimits {
  lengthCm: number;
  widthCm: number;
  heightCm: number;
  maxWeightG: number;
  maxValueCents: number;
}

/** Amazon's in-car delivery limits: at most 50 lb, 26 × 21 × 16 in, $1,300. */
export const AMAZON_TRUNK_LIMITS: TrunkLimits = {
  lengthCm: 66,
  widthCm: 53,
  heightCm: 40,
  maxWeightG: 22_679,
  maxValueCents: 130_000,
};

export interface Parcel {
  lengthCm: number | null;
  widthCm: number | null;
  heightCm: number | null;
  weightG: number | null;
  valueCents: number | null;
}

export type ParcelFitCode = "parcel_unmeasured" | "parcel_too_large" | "parcel_too_heavy" | "parcel_too_valuable";

/**
 * Why a parcel may not go into a trunk; empty when it fits. A box may be turned any way, so its
 * sides are compared largest to largest. A parcel without a size or weight fails closed (nobody
 * can tell whether it fits); one without a declared value is not taken as valuable.
 */
export function parcelFit(parcel: Parcel, limits: TrunkLimits): ParcelFitCode[] {
  const { lengthCm, widthCm, heightCm, weightG, valueCents } = parcel;
  if (lengthCm === null || widthCm === null || heightCm === null || weightG === null) return ["parcel_unmeasured"];
  const codes: ParcelFitCode[] = [];
  const box = [lengthCm, widthCm, heightCm].sort((a, b) => b - a);
  const trunk = [limits.lengthCm, limits.widthCm, limits.heightCm].sort((a, b) => b - a);
  if (box.some((side, i) => side > (trunk[i] as number))) codes.push("parcel_too_large");
  if (weightG > limits.maxWeightG) codes.push("parcel_too_heavy");
  if (valueCents !== null && valueCents > limits.maxValueCents) codes.push("parcel_too_valuable");
  return codes;
}

/** The car as its last signed report shows it, with the recipient's settings for it. */
export interface CarFacts {
  online: boolean;
  /** The recipient blocked the car. */
  blocked: boolean;
  drive: string | null;
  position: GeoPoint | null;
  locks: string | null;
  trunk: string | null;
  doors: string | null;
  limits: TrunkLimits;
  /** How far from the delivery address the car may be parked. */
  maxDistanceFromAddressM: number;
  /** How close to the car the courier must be. */
  courierMaxDistanceM: number;
  /** The recipient asked that the trunk open only while a camera films it. */
  requireCamera: boolean;
}

export type CarRefusalCode =
  | "car_offline"
  | "car_blocked"
  | "car_driving"
  | "car_position_unknown"
  | "car_too_far_from_address"
  | "courier_too_far_from_car"
  | "car_not_locked"
  | "trunk_open";

/** The car-side checks of a trunk visit: reachable, not blocked, parked, where it should be, locked and shut. */
export function carRefusals(car: CarFacts | null, address: GeoPoint | null, courier: GeoPoint): CarRefusalCode[] {
  if (!car) return ["car_offline"];
  const codes: CarRefusalCode[] = [];
  if (car.blocked) codes.push("car_blocked");
  // An unreachable car's report may be stale: none of it is believed.
  if (!car.online) return [...codes, "car_offline"];
  if (car.drive !== "parked") codes.push("car_driving");
  if (!car.position) codes.push("car_position_unknown");
  else {
    if (!address || distanceMeters(car.position, address) > car.maxDistanceFromAddressM) {
      codes.push("car_too_far_from_address");
    }
    if (distanceMeters(courier, car.position) > car.courierMaxDistanceM) codes.push("courier_too_far_from_car");
  }
  if (car.locks !== "locked") codes.push("car_not_locked");
  if (car.trunk !== "closed") codes.push("trunk_open");
  return codes;
}

/** Compass bearing from `from` to `to`, in whole degrees (0 = north, 90 = east): "the car is that way". */
export function bearingDegrees(from: GeoPoint, to: GeoPoint): number {
  const rad = Math.PI / 180;
  const y = Math.sin((to.lng - from.lng) * rad) * Math.cos(to.lat * rad);
  const x =
    Math.cos(from.lat * rad) * Math.sin(to.lat * rad) -
    Math.sin(from.lat * rad) * Math.cos(to.lat * rad) * Math.cos((to.lng - from.lng) * rad);
  return Math.round(((Math.atan2(y, x) / rad) % 360) + 360) % 360;
}

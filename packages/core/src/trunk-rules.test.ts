import { describe, expect, it } from "vitest";
import { distanceMeters } from "./geo.js";
import { AMAZON_TRUNK_LIMITS, bearingDegrees, type CarFacts, parcelFit } from "./trunk-rules.js";
import { checkVisit, type VisitFacts } from "./visit-rules.js";

const NOW = Date.UTC(2026, 10, 25, 10, 0);
const HOME = { lat: 52.3731, lng: 4.8922 };
/** About 111 m north of the home per 0.001 degree of latitude. */
const north = (m: number) => ({ lat: HOME.lat + m / 111_195, lng: HOME.lng });

function car(overrides: Partial<CarFacts> = {}): CarFacts {
  return {
    online: true,
    blocked: false,
    drive: "parked",
    position: north(100),
    locks: "locked",
    trunk: "closed",
    doors: "closed",
    limits: AMAZON_TRUNK_LIMITS,
    maxDistanceFromAddressM: 300,
    courierMaxDistanceM: 50,
    requireCamera: false,
    ...overrides,
  };
}

function facts(overrides: Partial<VisitFacts> = {}): VisitFacts {
  return {
    now: NOW,
    courierId: "usr_courier",
    courierLocation: north(110),
    claimedSiteId: null,
    shipment: {
      courierId: "usr_courier",
      siteId: "sit_1",
      method: "in_trunk",
      status: "assigned",
      windowStart: NOW - 3_600_000,
      windowEnd: NOW + 3_600_000,
    },
    site: { location: HOME, geofenceRadiusM: 50, blocked: false },
    accessPoint: {
      consent: {
        methods: ["in_trunk"],
        days: [1, 2, 3, 4, 5, 6, 7],
        fromMinute: 0,
        toMinute: 1440,
        timezone: "UTC",
        notes: "",
      },
    },
    lock: null,
    car: car(),
    parcel: { lengthCm: 40, widthCm: 30, heightCm: 20, weightG: 3_000, valueCents: 5_000 },
    camera: null,
    visitInProgressAtDoor: false,
    courierHasVisitInProgress: false,
    ...overrides,
  };
}

const codes = (f: VisitFacts) => checkVisit(f).map((r) => r.code);

describe("trunk visits (docs/in-car-delivery.md)", () => {
  it("open for a parked, locked car near the address with the courier beside it, unfilmed when no camera is asked for", () => {
    // The courier is 110 m from the home: outside the home's geofence, which a car does not use.
    expect(distanceMeters(facts().courierLocation, HOME)).toBeGreaterThan(50);
    expect(codes(facts())).toEqual([]);
  });

  it.each([
    ["driving", { drive: "driving" }, "car_driving"],
    ["too far from the address", { position: north(400) }, "car_too_far_from_address"],
    ["blocked", { blocked: true }, "car_blocked"],
    ["unlocked", { locks: "unlocked" }, "car_not_locked"],
    ["trunk open", { trunk: "open" }, "trunk_open"],
    ["with no position", { position: null }, "car_position_unknown"],
  ] as const)("refuse a car %s", (_what, change, code) => {
    const beside = "position" in change && change.position ? change.position : north(110);
    expect(codes(facts({ car: car(change), courierLocation: beside }))).toEqual([code]);
  });

  it("refuse a courier more than 50 m from the car", () => {
    expect(codes(facts({ courierLocation: north(170) }))).toEqual(["courier_too_far_from_car"]);
  });

  it("tell the courier to use the fallback when the car is unreachable, and believe none of its stale report", () => {
    const refusals = checkVisit(facts({ car: car({ online: false, drive: "driving" }) }));
    expect(refusals.map((r) => r.code)).toEqual(["car_offline"]);
    expect(refusals[0]?.message).toMatch(/fallback/);
    expect(codes(facts({ car: null }))).toEqual(["car_offline"]);
  });

  it("require a live camera when the car has one or the recipient asked for one", () => {
    expect(codes(facts({ camera: { live: false } }))).toEqual(["camera_not_live"]);
    expect(codes(facts({ car: car({ requireCamera: true }) }))).toEqual(["camera_not_live"]);
    expect(codes(facts({ car: car({ requireCamera: true }), camera: { live: true } }))).toEqual([]);
  });

  it("refuse parcels too large, too heavy, too valuable or unmeasured", () => {
    const parcel = { lengthCm: 40, widthCm: 30, heightCm: 20, weightG: 3_000, valueCents: 5_000 };
    expect(codes(facts({ parcel: { ...parcel, lengthCm: 70 } }))).toEqual(["parcel_too_large"]);
    expect(codes(facts({ parcel: { ...parcel, weightG: 23_000 } }))).toEqual(["parcel_too_heavy"]);
    expect(codes(facts({ parcel: { ...parcel, valueCents: 130_001 } }))).toEqual(["parcel_too_valuable"]);
    expect(codes(facts({ parcel: { ...parcel, weightG: null } }))).toEqual(["parcel_unmeasured"]);
  });
});

describe("parcelFit", () => {
  it("turns a box to fit: sides are compared largest to largest", () => {
    expect(
      parcelFit({ lengthCm: 20, widthCm: 52, heightCm: 65, weightG: 1, valueCents: null }, AMAZON_TRUNK_LIMITS),
    ).toEqual([]);
    expect(
      parcelFit({ lengthCm: 41, widthCm: 41, heightCm: 41, weightG: 1, valueCents: null }, AMAZON_TRUNK_LIMITS),
    ).toEqual(["parcel_too_large"]);
  });

  it("accepts exactly Amazon's limits: 50 lb, 26 × 21 × 16 in, $1,300", () => {
    expect(
      parcelFit({ lengthCm: 66, widthCm: 53, heightCm: 40, weightG: 22_679, valueCents: 130_000 }, AMAZON_TRUNK_LIMITS),
    ).toEqual([]);
  });
});

describe("bearingDegrees", () => {
  it("points north, east, south and west", () => {
    expect(bearingDegrees(HOME, north(100))).toBe(0);
    expect(bearingDegrees(HOME, { lat: HOME.lat, lng: HOME.lng + 0.001 })).toBe(90);
    expect(bearingDegrees(north(100), HOME)).toBe(180);
    expect(bearingDegrees(HOME, { lat: HOME.lat, lng: HOME.lng - 0.001 })).toBe(270);
  });
});

import { describe, expect, it } from "vitest";
import { checkVisit, type VisitFacts } from "./visit-rules.js";

const NOW = Date.UTC(2026, 10, 25, 10, 0); // Wednesday 11:00 in Amsterdam

function facts(overrides: Partial<VisitFacts> = {}): VisitFacts {
  return {
    now: NOW,
    courierId: "usr_courier",
    courierLocation: { lat: 52.3731, lng: 4.8922 },
    claimedSiteId: null,
    shipment: {
      courierId: "usr_courier",
      siteId: "sit_1",
      method: "in_home",
      status: "assigned",
      windowStart: NOW - 3_600_000,
      windowEnd: NOW + 3_600_000,
    },
    site: { location: { lat: 52.3731, lng: 4.8922 }, geofenceRadiusM: 100, blocked: false },
    accessPoint: {
      consent: {
        methods: ["in_home"],
        days: [1, 2, 3, 4, 5],
        fromMinute: 480,
        toMinute: 1200,
        timezone: "Europe/Amsterdam",
        notes: "",
      },
    },
    lock: { online: true, lock: "locked", door: "closed" },
    camera: { live: true },
    visitInProgressAtDoor: false,
    courierHasVisitInProgress: false,
    ...overrides,
  };
}

const codes = (f: VisitFacts) => checkVisit(f).map((r) => r.code);

describe("checkVisit (rule 1)", () => {
  it("allows opening only when every rule holds", () => {
    expect(checkVisit(facts())).toEqual([]);
  });

  it("names every failed rule at once, each with a sentence", () => {
    const refusals = checkVisit(
      facts({
        now: NOW + 7_200_000,
        courierLocation: { lat: 52.38, lng: 4.9 },
        site: { location: { lat: 52.3731, lng: 4.8922 }, geofenceRadiusM: 100, blocked: true },
        camera: { live: false },
        lock: { online: true, lock: "jammed", door: "open" },
        visitInProgressAtDoor: true,
      }),
    );
    expect(refusals.map((r) => r.code)).toEqual([
      "outside_window",
      "outside_geofence",
      "access_blocked",
      "camera_not_live",
      "lock_jammed",
      "door_open",
      "visit_in_progress",
    ]);
    for (const r of refusals) expect(r.message.length).toBeGreaterThan(20);
  });

  it("reveals nothing about the address for a package not assigned to this courier", () => {
    expect(codes(facts({ shipment: null }))).toEqual(["not_assigned"]);
    expect(
      codes(
        facts({ shipment: { ...(facts().shipment as NonNullable<VisitFacts["shipment"]>), courierId: "usr_other" } }),
      ),
    ).toEqual(["not_assigned"]);
  });

  it.each([
    ["wrong_site", { claimedSiteId: "sit_other" }],
    ["no_access_point", { accessPoint: null }],
    ["no_consent", { accessPoint: { consent: null } }],
    ["lock_offline", { lock: { online: false, lock: "locked", door: "closed" } }],
    ["lock_offline", { lock: null }],
    ["lock_not_locked", { lock: { online: true, lock: "unlocked", door: "closed" } }],
    ["camera_not_live", { camera: null }],
    ["courier_busy", { courierHasVisitInProgress: true }],
  ] as const)("refuses with %s", (code, overrides) => {
    expect(codes(facts(overrides as Partial<VisitFacts>))).toEqual([code]);
  });

  it("refuses outside the consent's hours even inside the delivery window", () => {
    const evening = Date.UTC(2026, 10, 25, 20, 0); // 21:00 local
    const f = facts({
      now: evening,
      shipment: {
        ...(facts().shipment as NonNullable<VisitFacts["shipment"]>),
        windowStart: evening - 1000,
        windowEnd: evening + 1000,
      },
    });
    expect(codes(f)).toEqual(["no_consent"]);
  });

  it("keeps doorstep and delivered packages out of the home", () => {
    const base = facts().shipment as NonNullable<VisitFacts["shipment"]>;
    expect(codes(facts({ shipment: { ...base, method: "doorstep" } }))).toEqual(["method_not_in_home"]);
    expect(codes(facts({ shipment: { ...base, status: "delivered" } }))).toEqual(["already_delivered"]);
  });
});

describe("checkVisit beyond the front door", () => {
  const consentTo = (method: "in_garage" | "in_fridge"): VisitFacts["accessPoint"] => ({
    consent: {
      methods: [method],
      days: [1, 2, 3, 4, 5],
      fromMinute: 480,
      toMinute: 1200,
      timezone: "Europe/Amsterdam",
      notes: "",
    },
  });
  const base = facts();
  const shipment = base.shipment as NonNullable<VisitFacts["shipment"]>;
  const garageFacts = (garage: VisitFacts["garage"]): VisitFacts =>
    facts({ shipment: { ...shipment, method: "in_garage" }, accessPoint: consentTo("in_garage"), lock: null, garage });

  it("opens a garage reported closed, at rest and clear", () => {
    expect(checkVisit(garageFacts({ online: true, door: "closed", obstructed: false }))).toEqual([]);
  });

  it("names garage_offline, garage_not_closed and garage_obstructed, failing closed on the unknown", () => {
    const garageCodes = (garage: VisitFacts["garage"]) => codes(garageFacts(garage));
    expect(garageCodes(null)).toEqual(["garage_offline"]);
    expect(garageCodes({ online: false, door: "closed", obstructed: false })).toEqual(["garage_offline"]);
    expect(garageCodes({ online: true, door: "closing", obstructed: false })).toEqual(["garage_not_closed"]);
    expect(garageCodes({ online: true, door: "closed", obstructed: null })).toEqual(["garage_obstructed"]);
    expect(garageCodes({ online: true, door: "open", obstructed: true })).toEqual([
      "garage_not_closed",
      "garage_obstructed",
    ]);
  });

  it("checks the fridge behind a front door before the door opens", () => {
    const fridgeFacts = (innerLock: VisitFacts["innerLock"]): VisitFacts =>
      facts({ shipment: { ...shipment, method: "in_fridge" }, accessPoint: consentTo("in_fridge"), innerLock });
    expect(checkVisit(fridgeFacts({ online: true, lock: "locked", door: "closed" }))).toEqual([]);
    expect(codes(fridgeFacts(null))).toEqual(["fridge_offline"]);
    expect(codes(fridgeFacts({ online: true, lock: "unlocked", door: "open" }))).toEqual([
      "fridge_not_locked",
      "fridge_open",
    ]);
  });

  it("refuses a fridge already warmer than its limit, and holds a fridge with no thermometer to nothing", () => {
    const fridgeAt = (temperatureC: number | null): VisitFacts =>
      facts({
        shipment: { ...shipment, method: "in_fridge" },
        accessPoint: consentTo("in_fridge"),
        innerLock: { online: true, lock: "locked", door: "closed", temperatureC, maxTemperatureC: 8 },
      });
    expect(codes(fridgeAt(12.5))).toEqual(["fridge_warm"]);
    expect(codes(fridgeAt(8))).toEqual([]);
    expect(codes(fridgeAt(null))).toEqual([]);
  });
});

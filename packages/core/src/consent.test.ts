import { describe, expect, it } from "vitest";
import { type Consent, consentAllows, isTimeZone, localTime } from "./consent.js";
import { distanceMeters } from "./geo.js";

const weekdays9to17: Consent = {
  methods: ["in_home"],
  days: [1, 2, 3, 4, 5],
  fromMinute: 9 * 60,
  toMinute: 17 * 60,
  timezone: "Europe/Amsterdam",
  notes: "",
};

describe("consent", () => {
  // 2026-11-25 is a Wednesday; Amsterdam is UTC+1 in November.
  const wednesdayUtc = (h: number, m = 0) => Date.UTC(2026, 10, 25, h, m);

  it("reads local weekday and minute in the site's time zone", () => {
    expect(localTime(wednesdayUtc(23, 30), "Europe/Amsterdam")).toEqual({ weekday: 4, minute: 30 });
    expect(localTime(wednesdayUtc(8), "America/New_York")).toEqual({ weekday: 3, minute: 3 * 60 });
  });

  it("allows the method inside its days and hours only", () => {
    expect(consentAllows(weekdays9to17, "in_home", wednesdayUtc(9))).toBe(true); // 10:00 local
    expect(consentAllows(weekdays9to17, "in_home", wednesdayUtc(7, 59))).toBe(false); // 08:59 local
    expect(consentAllows(weekdays9to17, "in_home", wednesdayUtc(16))).toBe(false); // 17:00 local, end excluded
    expect(consentAllows(weekdays9to17, "in_garage", wednesdayUtc(9))).toBe(false);
    expect(consentAllows(weekdays9to17, "in_home", Date.UTC(2026, 10, 28, 10))).toBe(false); // Saturday
    expect(consentAllows(null, "in_home", wednesdayUtc(9))).toBe(false);
  });

  it("knows real time zones", () => {
    expect(isTimeZone("Europe/Amsterdam")).toBe(true);
    expect(isTimeZone("Mars/Olympus")).toBe(false);
  });
});

describe("distanceMeters", () => {
  it("measures short and long distances", () => {
    expect(distanceMeters({ lat: 52.3731, lng: 4.8922 }, { lat: 52.3731, lng: 4.8922 })).toBe(0);
    const hundredMetresNorth = distanceMeters({ lat: 52.3731, lng: 4.8922 }, { lat: 52.374, lng: 4.8922 });
    expect(hundredMetresNorth).toBeGreaterThan(95);
    expect(hundredMetresNorth).toBeLessThan(105);
    expect(distanceMeters({ lat: 52.3676, lng: 4.9041 }, { lat: 48.8566, lng: 2.3522 })).toBeCloseTo(430_000, -4);
  });
});

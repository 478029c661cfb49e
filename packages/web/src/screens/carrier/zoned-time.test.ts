import { describe, expect, it } from "vitest";
import { wallClockIn, zonedToIso } from "./zoned-time";

describe("times entered in the place's zone", () => {
  it("reads the wall clock of the place, not of the browser", () => {
    expect(zonedToIso("2026-12-09", "14:00", "Europe/Amsterdam")).toBe("2026-12-09T13:00:00.000Z");
    expect(zonedToIso("2026-07-09", "14:00", "Europe/Amsterdam")).toBe("2026-07-09T12:00:00.000Z");
    expect(zonedToIso("2026-12-09", "14:00", "America/New_York")).toBe("2026-12-09T19:00:00.000Z");
    expect(zonedToIso("2026-12-09", "14:00", "UTC")).toBe("2026-12-09T14:00:00.000Z");
    expect(zonedToIso("2026-12-09", "09:30", "Asia/Kolkata")).toBe("2026-12-09T04:00:00.000Z");
  });

  it("handles the nights the clocks change", () => {
    // Spring forward in Amsterdam: 02:30 does not exist on 29 March 2026; it is read as 03:30 CEST.
    expect(zonedToIso("2026-03-29", "02:30", "Europe/Amsterdam")).toBe("2026-03-29T01:30:00.000Z");
    expect(zonedToIso("2026-03-29", "03:30", "Europe/Amsterdam")).toBe("2026-03-29T01:30:00.000Z");
    // Fall back: 02:30 happens twice on 25 October 2026; the first (CEST) is meant.
    expect(zonedToIso("2026-10-25", "02:30", "Europe/Amsterdam")).toBe("2026-10-25T00:30:00.000Z");
    expect(zonedToIso("2026-10-25", "03:30", "Europe/Amsterdam")).toBe("2026-10-25T02:30:00.000Z");
  });

  it("refuses what is not a date and a time", () => {
    expect(zonedToIso("", "14:00", "UTC")).toBeNull();
    expect(zonedToIso("2026-12-09", "", "UTC")).toBeNull();
    expect(zonedToIso("2026-13-45", "14:00", "UTC")).toBeNull();
  });

  it("shows an instant as the place's wall clock, the inverse of reading one", () => {
    expect(wallClockIn(Date.parse("2026-12-09T19:00:00Z"), "America/New_York")).toEqual({
      date: "2026-12-09",
      time: "14:00",
    });
    const iso = zonedToIso("2026-12-31", "23:45", "Pacific/Auckland") as string;
    expect(wallClockIn(Date.parse(iso), "Pacific/Auckland")).toEqual({ date: "2026-12-31", time: "23:45" });
  });
});

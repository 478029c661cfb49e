import { describe, expect, it } from "vitest";
import { formatTimeIn, formatWindow } from "./format";

// 15:11–20:11 UTC on Wednesday 25 November 2026: 16:11–21:11 in Amsterdam (CET).
const WINDOW = { start: "2026-11-25T15:11:00Z", end: "2026-11-25T20:11:00Z" };

describe("formatWindow", () => {
  it("shows the window in the place's zone, 24-hour, and names the zone, as the label prints it", () => {
    expect(formatWindow(WINDOW, "Europe/Amsterdam")).toBe("Wed 25 Nov 16:11 – 21:11 CET");
    // en-GB names only its own region's zones; elsewhere the offset, exactly as the label prints it.
    expect(formatWindow(WINDOW, "America/New_York")).toBe("Wed 25 Nov 10:11 – 15:11 GMT-5");
    expect(formatWindow(WINDOW, "UTC")).toBe("Wed 25 Nov 15:11 – 20:11 UTC");
  });

  it("names both days when the window crosses midnight where the place is", () => {
    expect(formatWindow({ start: "2026-11-25T21:30:00Z", end: "2026-11-26T01:00:00Z" }, "Europe/Amsterdam")).toBe(
      "Wed 25 Nov 22:30 – Thu 26 Nov 02:00 CET",
    );
  });
});

describe("formatTimeIn", () => {
  it("gives a time of day in the place's zone, with the zone named", () => {
    expect(formatTimeIn(WINDOW.start, "Europe/Amsterdam")).toBe("16:11 CET");
  });
});

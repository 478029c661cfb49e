import { describe, expect, it } from "vitest";
import { type GuestCredential, guestCredentialEnd, guestCredentialOpens, isWeekDaySchedule } from "./guest-key.js";

/** Wednesday 25 November 2026, 09:30 UTC. */
const WED = Date.UTC(2026, 10, 25, 9, 30);
const HOUR = 3_600_000;
const base = { validFrom: WED - HOUR, validUntil: WED + 30 * 24 * HOUR };

describe("guest credentials", () => {
  it("opens nothing outside validFrom–validUntil, whatever the type", () => {
    for (const type of ["unrestricted", "year_day_schedule", "disposable", "expiring"] as const) {
      const credential: GuestCredential = { type, ...base, expiresAfterUseMs: HOUR };
      expect(guestCredentialOpens(credential, WED)).toBe(true);
      expect(guestCredentialOpens(credential, base.validFrom - 1)).toBe(false);
      expect(guestCredentialOpens(credential, base.validUntil)).toBe(false);
    }
  });

  it("a week-day schedule opens on its days, from its start minute up to (not including) its end, in its zone", () => {
    const credential: GuestCredential = {
      type: "week_day_schedule",
      ...base,
      schedule: { weekDays: [3], startMinute: 9 * 60, endMinute: 10 * 60, timeZone: "America/New_York" },
    };
    // 09:30 UTC is 04:30 in New York: not yet.
    expect(guestCredentialOpens(credential, WED)).toBe(false);
    expect(guestCredentialOpens(credential, WED + 4.5 * HOUR)).toBe(true); // 09:00 New York
    expect(guestCredentialOpens(credential, WED + 5.5 * HOUR - 1)).toBe(true); // 09:59:59.999
    expect(guestCredentialOpens(credential, WED + 5.5 * HOUR)).toBe(false); // 10:00
    expect(guestCredentialOpens(credential, WED + 24 * HOUR + 5 * HOUR)).toBe(false); // Thursday
    expect(guestCredentialOpens({ ...credential, schedule: undefined }, WED + 5 * HOUR)).toBe(false);
  });

  it("a disposable key opens until used; an expiring key until its first use plus its duration", () => {
    expect(guestCredentialOpens({ type: "disposable", ...base, used: true }, WED)).toBe(false);
    const expiring: GuestCredential = { type: "expiring", ...base, expiresAfterUseMs: HOUR, firstUsedAt: WED };
    expect(guestCredentialEnd(expiring)).toBe(WED + HOUR);
    expect(guestCredentialOpens(expiring, WED + HOUR - 1)).toBe(true);
    expect(guestCredentialOpens(expiring, WED + HOUR)).toBe(false);
    // Never past its validity, even when first used just before the end.
    expect(guestCredentialEnd({ ...expiring, firstUsedAt: base.validUntil - 1 })).toBe(base.validUntil);
    expect(guestCredentialEnd({ ...expiring, firstUsedAt: undefined })).toBe(base.validUntil);
  });

  it("checks the shape of a schedule where it enters", () => {
    const good = { weekDays: [1, 5], startMinute: 0, endMinute: 1440, timeZone: "UTC" };
    expect(isWeekDaySchedule(good)).toBe(true);
    expect(isWeekDaySchedule({ ...good, weekDays: [] })).toBe(false);
    expect(isWeekDaySchedule({ ...good, weekDays: [1, 1] })).toBe(false);
    expect(isWeekDaySchedule({ ...good, weekDays: [0] })).toBe(false);
    expect(isWeekDaySchedule({ ...good, startMinute: 600, endMinute: 600 })).toBe(false);
    expect(isWeekDaySchedule({ ...good, endMinute: 1441 })).toBe(false);
    expect(isWeekDaySchedule({ ...good, timeZone: "Nowhere/Else" })).toBe(false);
    expect(isWeekDaySchedule({ ...good, timeZone: undefined })).toBe(false);
  });
});

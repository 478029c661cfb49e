import {
  type GuestCredential,
  type GuestKeyKind,
  guestCredentialEnd,
  guestCredentialOpens,
  KEYPAD_USER_TYPE_OF,
  type WeekDaySchedule,
} from "@threshold/core";
import type { GuestKeyRow, GuestKeyStatus, SharedGuestKey } from "./schemas.js";

/** The end of a key with no end (9999-12-31): locks and databases hold a number, not "never". */
export const NO_END = 253_402_300_799_999;

const iso = (ms: number) => new Date(ms).toISOString();

export function scheduleOf(row: GuestKeyRow): WeekDaySchedule | undefined {
  if (row.week_days === null || row.start_minute === null || row.end_minute === null || row.time_zone === null) {
    return undefined;
  }
  return {
    weekDays: row.week_days.split(",").map(Number),
    startMinute: row.start_minute,
    endMinute: row.end_minute,
    timeZone: row.time_zone,
  };
}

/** The key as the lock holds it, so the server says "works now" by the lock's own rules. */
export function credentialOf(row: GuestKeyRow): GuestCredential {
  const schedule = scheduleOf(row);
  return {
    type: KEYPAD_USER_TYPE_OF[row.kind as GuestKeyKind],
    validFrom: row.valid_from,
    validUntil: row.valid_until,
    ...(schedule ? { schedule } : {}),
    ...(row.expires_after_use_s === null ? {} : { expiresAfterUseMs: row.expires_after_use_s * 1000 }),
    ...(row.first_used_at === null ? {} : { firstUsedAt: row.first_used_at }),
    used: row.kind === "one_time" && row.use_count > 0,
  };
}

/** When a key stops working by its own rules (not counting a revocation); NO_END for never. */
export function endOf(row: GuestKeyRow): number {
  return guestCredentialEnd(credentialOf(row));
}

export function minutesToTime(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
}

export function timeToMinutes(time: string): number {
  const [hours, minutes] = time.split(":").map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}

/** The rules of a key, as its owner and its holder see them. */
export function keyRules(row: GuestKeyRow, now: number): Omit<SharedGuestKey, "name" | "pin" | "place"> {
  const credential = credentialOf(row);
  const schedule = credential.schedule;
  const expiring = row.kind === "expiring" && row.first_used_at !== null;
  return {
    kind: row.kind as GuestKeyKind,
    status: row.status as GuestKeyStatus,
    validFrom: iso(row.valid_from),
    validUntil: row.valid_until >= NO_END ? null : iso(row.valid_until),
    schedule: schedule
      ? {
          weekDays: schedule.weekDays,
          startTime: minutesToTime(schedule.startMinute),
          endTime: minutesToTime(schedule.endMinute),
          timeZone: schedule.timeZone,
        }
      : null,
    expiresAfterFirstUseMinutes: row.expires_after_use_s === null ? null : row.expires_after_use_s / 60,
    expiresAt: expiring ? iso(guestCredentialEnd(credential)) : null,
    worksNow: row.status === "active" && row.paused_at === null && guestCredentialOpens(credential, now),
  };
}

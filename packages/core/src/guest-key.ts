import { isTimeZone, localTime } from "./consent.js";

/**
 * Guest keys (docs/guest-keys.md): PINs a recipient gives to people — a cleaner, a dog walker,
 * family. Each kind is one of Matter's DoorLock user types, so a real lock can hold it natively.
 */
export const GUEST_KEY_KINDS = ["permanent", "recurring", "temporary", "one_time", "expiring"] as const;
export type GuestKeyKind = (typeof GUEST_KEY_KINDS)[number];

/**
 * How a lock holds a keypad user, by Matter's names. `delivery` is Threshold's retailer one-time
 * code: a Disposable user programmed disabled, which opens only after a pin_enable.
 */
export const KEYPAD_USER_TYPES = [
  "delivery",
  "unrestricted",
  "week_day_schedule",
  "year_day_schedule",
  "disposable",
  "expiring",
] as const;
export type KeypadUserType = (typeof KEYPAD_USER_TYPES)[number];
/** The user types that open by themselves: guest keys. */
export type GuestUserType = Exclude<KeypadUserType, "delivery">;

export const KEYPAD_USER_TYPE_OF: Record<GuestKeyKind, GuestUserType> = {
  permanent: "unrestricted",
  recurring: "week_day_schedule",
  temporary: "year_day_schedule",
  one_time: "disposable",
  expiring: "expiring",
};

/** The hours of a recurring key: on these ISO weekdays (1 = Monday), from one minute of the local day to another. */
export interface WeekDaySchedule {
  weekDays: number[];
  /** Minutes after local midnight; startMinute < endMinute (a schedule does not cross midnight). */
  startMinute: number;
  endMinute: number;
  /** IANA time zone the hours are in: the site's. */
  timeZone: string;
}

/** A keypad user as the lock (and the server, to say whether a key works now) evaluates it. */
export interface GuestCredential {
  type: GuestUserType;
  validFrom: number;
  validUntil: number;
  schedule?: WeekDaySchedule;
  /** expiring: how long the key keeps working after its first use. */
  expiresAfterUseMs?: number;
  /** expiring: when it was first used (0 or absent before). */
  firstUsedAt?: number;
  /** disposable: used once already. */
  used?: boolean;
}

/** When an expiring key stops working: its validity, or its first use plus its duration, whichever is first. */
export function guestCredentialEnd(credential: GuestCredential): number {
  if (credential.type !== "expiring" || !credential.firstUsedAt || credential.expiresAfterUseMs === undefined) {
    return credential.validUntil;
  }
  return Math.min(credential.validUntil, credential.firstUsedAt + credential.expiresAfterUseMs);
}

/** True when typing this key's PIN at `at` opens the door. */
export function guestCredentialOpens(credential: GuestCredential, at: number): boolean {
  if (at < credential.validFrom || at >= guestCredentialEnd(credential)) return false;
  if (credential.type === "disposable") return !credential.used;
  if (credential.type === "week_day_schedule") {
    const schedule = credential.schedule;
    if (!schedule) return false;
    const { weekday, minute } = localTime(at, schedule.timeZone);
    return schedule.weekDays.includes(weekday) && minute >= schedule.startMinute && minute < schedule.endMinute;
  }
  return true;
}

/** The shape of a week-day schedule, checked where it enters (the API, the lock's pin_set). */
export function isWeekDaySchedule(value: Partial<WeekDaySchedule>): value is WeekDaySchedule {
  const { weekDays, startMinute, endMinute } = value;
  return (
    Array.isArray(weekDays) &&
    weekDays.length > 0 &&
    weekDays.every((d) => Number.isInteger(d) && d >= 1 && d <= 7) &&
    new Set(weekDays).size === weekDays.length &&
    Number.isInteger(startMinute) &&
    Number.isInteger(endMinute) &&
    (startMinute as number) >= 0 &&
    (startMinute as number) < (endMinute as number) &&
    (endMinute as number) <= 24 * 60 &&
    typeof value.timeZone === "string" &&
    isTimeZone(value.timeZone)
  );
}

/**
 * Wall-clock times in a place's zone, for entering a delivery window there: a dispatcher in Berlin
 * types "14:00" for a home in New York and means 14:00 in New York. The browser's own zone never
 * enters into it (datetime inputs would read it in the browser's zone).
 */

const partFormats = new Map<string, Intl.DateTimeFormat>();

function partsFormat(timeZone: string): Intl.DateTimeFormat {
  let format = partFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    partFormats.set(timeZone, format);
  }
  return format;
}

/** The wall clock in `timeZone` at `ms`, as { date: "YYYY-MM-DD", time: "HH:MM" }. */
export function wallClockIn(ms: number, timeZone: string): { date: string; time: string } {
  const parts = Object.fromEntries(
    partsFormat(timeZone)
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

/** How far the zone's wall clock is ahead of UTC at `ms`, in ms (whole minutes). */
function offsetAt(ms: number, timeZone: string): number {
  const { date, time } = wallClockIn(ms, timeZone);
  return Date.parse(`${date}T${time}:00Z`) - Math.floor(ms / 60_000) * 60_000;
}

/**
 * The instant at which the wall clock in `timeZone` reads `date` ("YYYY-MM-DD") `time` ("HH:MM"),
 * as an ISO string; null when the input is not a date and a time. A time skipped by a daylight-saving
 * change (02:30 on the spring-forward night) becomes the instant an hour later, as clocks do; a time
 * that happens twice (autumn) is its first occurrence.
 */
export function zonedToIso(date: string, time: string, timeZone: string): string | null {
  if (!/^\d{4}-\d\d-\d\d$/.test(date) || !/^\d\d:\d\d$/.test(time)) return null;
  const asUtc = Date.parse(`${date}T${time}:00Z`);
  if (Number.isNaN(asUtc)) return null;
  // The offsets in force a day either side cover any one change in between: of the instants they
  // give, the earliest that reads as asked; in a gap none does, and the offset from before it moves
  // the time forward by the change.
  const DAY = 86_400_000;
  const before = asUtc - offsetAt(asUtc - DAY, timeZone);
  const after = asUtc - offsetAt(asUtc + DAY, timeZone);
  const reads = (ms: number) => {
    const wall = wallClockIn(ms, timeZone);
    return wall.date === date && wall.time === time;
  };
  const matching = [before, after].filter(reads);
  return new Date(matching.length > 0 ? Math.min(...matching) : before).toISOString();
}

/** "Europe/Amsterdam (CET)": a zone as people read it, its short name as in force at `atMs`. */
export function zoneLabel(timeZone: string, atMs: number): string {
  const short = new Intl.DateTimeFormat("en-GB", { timeZone, timeZoneName: "short" })
    .formatToParts(new Date(atMs))
    .find((part) => part.type === "timeZoneName")?.value;
  const name = timeZone.replaceAll("_", " ");
  return short && short !== timeZone ? `${name} (${short})` : name;
}

/** The browser's zone: only a default for a place whose zone Threshold does not know yet. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** Every zone the browser knows, for choosing a place's zone by hand. */
export function knownTimeZones(): string[] {
  return typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : ["UTC"];
}

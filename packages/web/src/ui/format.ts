/** Dates and times in the viewer's own locale and zone, the way people read them (for moments, not a place's windows). */
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  weekday: "short",
  day: "numeric",
  month: "short",
  hour: "2-digit",
  minute: "2-digit",
});
const secondsFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });

export const formatTime = (iso: string) => timeFormat.format(new Date(iso));
export const formatDateTime = (iso: string) => dateTimeFormat.format(new Date(iso));
export const formatClock = (iso: string) => secondsFormat.format(new Date(iso));

/**
 * A window in the place's own zone, 24-hour, with the zone named: "Wed 25 Nov 16:11 – 21:11 CET",
 * the way the label prints it (labels/layout.ts), so the screen and the parcel never disagree.
 * Never the viewer's zone: a carrier in another country would read another hour.
 */
export function formatWindow(window: { start: string; end: string }, timeZone: string): string {
  const { day, time, zone } = placeFormats(timeZone);
  const start = new Date(window.start);
  const end = new Date(window.end);
  const endDay = day.format(end);
  const sameDay = day.format(start) === endDay;
  return `${day.format(start)} ${time.format(start)} – ${sameDay ? "" : `${endDay} `}${time.format(end)} ${zone(end)}`;
}

/** "16:11 CET": a time of day in the place's zone, named. */
export function formatTimeIn(iso: string, timeZone: string): string {
  const { time, zone } = placeFormats(timeZone);
  const at = new Date(iso);
  return `${time.format(at)} ${zone(at)}`;
}

interface PlaceFormats {
  day: Intl.DateTimeFormat;
  time: Intl.DateTimeFormat;
  zone: (at: Date) => string;
}
const placeFormatCache = new Map<string, PlaceFormats>();

function placeFormats(timeZone: string): PlaceFormats {
  const cached = placeFormatCache.get(timeZone);
  if (cached) return cached;
  const day = new Intl.DateTimeFormat("en-GB", { timeZone, weekday: "short", day: "numeric", month: "short" });
  const time = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const name = new Intl.DateTimeFormat("en-GB", { timeZone, timeZoneName: "short" });
  // The short name changes with daylight saving (CET, CEST), so it is read at the moment shown.
  const zone = (at: Date) => name.formatToParts(at).find((part) => part.type === "timeZoneName")?.value ?? timeZone;
  const formats = { day, time, zone };
  placeFormatCache.set(timeZone, formats);
  return formats;
}

/** "3 min ago", "just now": for last-seen times. */
export function formatAgo(iso: string | null, now = Date.now()): string {
  if (!iso) return "never";
  const seconds = Math.round((now - new Date(iso).getTime()) / 1000);
  if (seconds < 10) return "just now";
  if (seconds < 90) return `${seconds} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 36) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

import type { AccessPoint, Consent, DeliveryMethod, DeviceKind } from "./home-data";

/** The words the recipient reads for the API's codes (DESIGN.md §4). */

export const METHOD_WORDS: Record<DeliveryMethod, { label: string; hint: string }> = {
  in_home: { label: "In-home", hint: "The courier opens the door and puts the package just inside." },
  in_garage: { label: "In the garage", hint: "The courier opens the garage and leaves the package inside." },
  in_fridge: { label: "In the fridge", hint: "Groceries go straight into the delivery fridge." },
  in_trunk: { label: "In the car's trunk", hint: "The courier opens the trunk of your parked car." },
  locker: { label: "Locker", hint: "The package goes into a locker compartment." },
  doorstep: { label: "Doorstep", hint: "The package is left outside; nothing is opened." },
};

export const DEVICE_KIND_WORDS: Record<DeviceKind, string> = {
  lock: "Smart lock",
  camera: "Camera",
  garage_opener: "Garage opener",
  locker_controller: "Locker controller",
  vehicle: "Vehicle",
  keypad: "Keypad",
};

export const ACCESS_POINT_KIND_WORDS: Record<AccessPoint["kind"], string> = {
  front_door: "Front door",
  garage: "Garage",
  fridge: "Delivery fridge",
  trunk: "Car trunk",
  building_entrance: "Building entrance",
  compartment: "Locker compartment",
};

/** ISO weekdays: 1 = Monday … 7 = Sunday, as the API counts them. */
export const WEEKDAYS = [
  { day: 1, short: "Mon", long: "Monday" },
  { day: 2, short: "Tue", long: "Tuesday" },
  { day: 3, short: "Wed", long: "Wednesday" },
  { day: 4, short: "Thu", long: "Thursday" },
  { day: 5, short: "Fri", long: "Friday" },
  { day: 6, short: "Sat", long: "Saturday" },
  { day: 7, short: "Sun", long: "Sunday" },
] as const;

/** "Every day", "Weekdays", "Weekends" or "Mon, Wed, Fri". */
export function daysWords(days: readonly number[]): string {
  const set = new Set(days);
  const has = (list: number[]) => list.length === set.size && list.every((day) => set.has(day));
  if (has([1, 2, 3, 4, 5, 6, 7])) return "Every day";
  if (has([1, 2, 3, 4, 5])) return "Weekdays";
  if (has([6, 7])) return "Weekends";
  if (set.size === 0) return "No days";
  return WEEKDAYS.filter((weekday) => set.has(weekday.day))
    .map((weekday) => weekday.short)
    .join(", ");
}

/** "All day" or "07:00–21:00". */
export function hoursWords(consent: Pick<Consent, "from" | "to">): string {
  return consent.from === "00:00" && consent.to === "24:00" ? "all day" : `${consent.from}–${consent.to}`;
}

/** One line for a card: "In-home, Doorstep · Every day, all day (Europe/Amsterdam)". */
export function consentSummary(consent: Consent): string {
  const methods = consent.methods.map((method) => METHOD_WORDS[method].label).join(", ");
  return `${methods} · ${daysWords(consent.days)}, ${hoursWords(consent)} (${consent.timezone})`;
}

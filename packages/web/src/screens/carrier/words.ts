import type { ShipmentStatus } from "./carrier-data";

export const STATUS_WORDS: Record<ShipmentStatus, { label: string; pill: string }> = {
  created: { label: "Awaiting courier", pill: "pill pill-warn" },
  assigned: { label: "Out with courier", pill: "pill" },
  delivered: { label: "Delivered", pill: "pill pill-ok" },
  collected: { label: "Return collected", pill: "pill pill-ok" },
  cancelled: { label: "Cancelled", pill: "pill pill-bad" },
  in_locker: { label: "In the locker", pill: "pill" },
  for_return: { label: "Expired in locker: collect", pill: "pill pill-warn" },
  returned: { label: "Returned", pill: "pill pill-bad" },
};

export const METHOD_WORDS: Record<string, string> = {
  in_home: "In-home",
  in_garage: "In-garage",
  in_fridge: "In-fridge",
  in_trunk: "In-trunk",
  locker: "Locker",
  doorstep: "Doorstep",
};

/** What each method needs, in a line, for choosing one. */
export const METHOD_HINTS: Record<string, string> = {
  in_home: "Inside the front door, camera-witnessed; the recipient allows it.",
  in_garage: "Inside the garage; the recipient allows it.",
  in_fridge: "Into the fridge: perishables only.",
  in_trunk: "Into the recipient's car: size and weight needed.",
  locker: "A compartment of the building's locker: resident and size needed.",
  doorstep: "At the door, nothing opened.",
};

import { ThresholdApiError } from "@threshold/sdk";
import type { NewShipment } from "./carrier-data";
import { zonedToIso } from "./zoned-time";

/** What the dispatcher typed, as typed; bodyOf turns it into the API's request. */
export interface ShipmentDraft {
  trackingNumber: string;
  siteId: string;
  method: NewShipment["method"];
  /** The window's day and times, as the place's wall clock reads them. */
  date: string;
  from: string;
  to: string;
  residentEmail: string;
  lengthCm: string;
  widthCm: string;
  heightCm: string;
  weightG: string;
  perishable: boolean;
  frozen: boolean;
  signatureRequired: boolean;
  courierId: string;
}

export type ShipmentField =
  | "destination"
  | "method"
  | "trackingNumber"
  | "window"
  | "residentEmail"
  | "size"
  | "weightG"
  | "perishable"
  | "courierId";

/** A problem to show next to one field, or above the form when it belongs to none. */
export interface FieldProblem {
  field: ShipmentField | null;
  message: string;
}

const whole = (text: string) => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN);

/**
 * The request for a draft, or the first thing missing. Only what cannot be sent at all is checked
 * here; everything else (the pattern of a tracking number, the window's rules, consent) is the
 * server's to judge, and its answer is shown next to the field it names.
 */
export function bodyOf(draft: ShipmentDraft, timeZone: string): NewShipment | FieldProblem {
  if (!draft.siteId) return { field: "destination", message: "Choose where the parcel goes." };
  if (!draft.trackingNumber.trim()) return { field: "trackingNumber", message: "Enter the label's tracking number." };
  const start = zonedToIso(draft.date, draft.from, timeZone);
  const end = zonedToIso(draft.date, draft.to, timeZone);
  if (!start || !end) return { field: "window", message: "Choose the day and the hours of the window." };
  const body: NewShipment = {
    trackingNumber: draft.trackingNumber.trim(),
    siteId: draft.siteId.trim(),
    method: draft.method,
    window: { start, end },
  };
  const sizes = [draft.lengthCm, draft.widthCm, draft.heightCm];
  if (sizes.some((s) => s.trim() !== "")) {
    const [lengthCm, widthCm, heightCm] = sizes.map(whole) as [number, number, number];
    if ([lengthCm, widthCm, heightCm].some(Number.isNaN)) {
      return { field: "size", message: "Give length, width and height in whole centimetres, or none of them." };
    }
    body.size = { lengthCm, widthCm, heightCm };
  }
  if (draft.weightG.trim() !== "") {
    const weightG = whole(draft.weightG);
    if (Number.isNaN(weightG)) return { field: "weightG", message: "Give the weight in whole grams." };
    body.weightG = weightG;
  }
  if (draft.method === "locker" && draft.residentEmail.trim()) body.residentEmail = draft.residentEmail.trim();
  const flags = {
    ...(draft.perishable ? { perishable: true } : {}),
    ...(draft.method === "locker" && draft.frozen ? { frozen: true } : {}),
    ...(draft.signatureRequired ? { signatureRequired: true } : {}),
  };
  if (Object.keys(flags).length > 0) body.flags = flags;
  return body;
}

/** Which field each of the server's stable codes is about (POST /v1/shipments's description). */
const FIELD_OF_CODE: Record<string, ShipmentField> = {
  tracking_number_exists: "trackingNumber",
  invalid_window: "window",
  not_found: "destination",
  no_consent: "method",
  method_not_suited: "method",
  not_perishable: "perishable",
  not_a_resident: "residentEmail",
  parcel_unmeasured: "size",
  parcel_too_large: "size",
  parcel_too_heavy: "weightG",
  parcel_too_valuable: "method",
  courier_not_found: "courierId",
};

/** Which field a validation issue's path (body/window/start, body/size/lengthCm…) is about. */
function fieldOfPath(path: string): ShipmentField | null {
  const [, top] = path.split("/");
  switch (top) {
    case "trackingNumber":
    case "residentEmail":
    case "weightG":
      return top;
    case "siteId":
      return "destination";
    case "window":
      return "window";
    case "size":
      return "size";
    case "method":
      return "method";
    default:
      return null;
  }
}

/** Plain words for a field the request's schema refused, rather than the schema's own phrasing. */
const SCHEMA_WORDS: Partial<Record<ShipmentField, string>> = {
  trackingNumber: "A tracking number is 4 to 40 letters, digits and hyphens, as printed on the label.",
  residentEmail: "Enter the resident's email address.",
  size: "Each side is 1 to 500 whole centimetres.",
  weightG: "The weight is 1 to 500,000 whole grams.",
};

/** The server's refusal, placed next to the field it is about; the sentence is the server's own. */
export function problemOf(error: unknown): FieldProblem {
  if (!(error instanceof ThresholdApiError)) {
    return { field: null, message: error instanceof Error ? error.message : "Something went wrong. Try again." };
  }
  const byCode = FIELD_OF_CODE[error.code];
  if (byCode) return { field: byCode, message: error.message };
  // A locker shipment's missing size or resident comes as invalid_request, named in its sentence.
  if (/residentEmail/.test(error.message)) return { field: "residentEmail", message: error.message };
  if (/\bsize\b/.test(error.message) && !/^body\//.test(error.message))
    return { field: "size", message: error.message };
  const issues = error.details?.issues;
  if (Array.isArray(issues) && issues.length > 0) {
    const first = issues[0] as { path?: unknown };
    if (typeof first.path === "string") {
      const field = fieldOfPath(first.path);
      return { field, message: (field && SCHEMA_WORDS[field]) ?? error.message };
    }
  }
  return { field: null, message: error.message };
}

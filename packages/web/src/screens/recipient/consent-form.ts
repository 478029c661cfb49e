import type { AccessPointConsent, ConsentBody, DeliveryMethod } from "./home-data";

/** The settings form's values, and how they map to and from the API's consent. */

export interface ConsentDraft {
  methods: DeliveryMethod[];
  days: number[];
  from: string;
  to: string;
  timezone: string;
  notes: string;
  /** Not on the form yet; carried through so saving the form never withdraws it. */
  offlineCodes: boolean;
}

/** The server's limit on notes (ConsentBody.notes maxLength in docs/openapi.json). */
export const NOTES_MAX_LENGTH = 500;

const DEFAULT_FROM = "08:00";
const DEFAULT_TO = "20:00";

export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** The saved consent, or for a door never set up: no method, every day, daytime, the browser's zone. */
export function draftOf(current: AccessPointConsent): ConsentDraft {
  const consent = current.consent;
  if (!consent) {
    return {
      methods: [],
      days: [1, 2, 3, 4, 5, 6, 7],
      from: DEFAULT_FROM,
      to: DEFAULT_TO,
      timezone: browserTimeZone(),
      notes: "",
      offlineCodes: false,
    };
  }
  return {
    methods: [...consent.methods],
    days: [...consent.days],
    from: consent.from,
    to: consent.to,
    timezone: consent.timezone,
    notes: consent.notes,
    offlineCodes: consent.offlineCodes,
  };
}

/** A sentence for what the server would refuse anyway, so it is said before the round trip. */
export function draftProblem(draft: ConsentDraft): string | null {
  if (draft.days.length === 0) return "Pick at least one day. To stop deliveries, untick every method instead.";
  if (draft.from >= draft.to) return `"From" (${draft.from}) must be before "To" (${draft.to}) on the same day.`;
  if (draft.notes.length > NOTES_MAX_LENGTH) return `Notes can be at most ${NOTES_MAX_LENGTH} characters.`;
  return null;
}

export function bodyOf(draft: ConsentDraft): ConsentBody {
  return {
    methods: draft.methods,
    days: [...draft.days].sort((a, b) => a - b),
    from: draft.from,
    to: draft.to,
    timezone: draft.timezone,
    notes: draft.notes,
    offlineCodes: draft.offlineCodes,
  };
}

const pad = (n: number) => String(n).padStart(2, "0");
const clock = (minute: number) => `${pad(Math.floor(minute / 60))}:${pad(minute % 60)}`;

/**
 * Half-hour choices for a time select (plus the saved value when it is off the grid): "from" runs
 * 00:00–23:30, "to" 00:30–24:00, because a window may end at midnight but not start there.
 */
export function timeChoices(end: "from" | "to", current: string): string[] {
  const choices: string[] = [];
  for (let minute = end === "from" ? 0 : 30; minute <= (end === "from" ? 1410 : 1440); minute += 30) {
    choices.push(clock(minute));
  }
  if (!choices.includes(current)) choices.push(current);
  return choices.sort();
}

/** Every IANA zone this browser knows, with the browser's own and the saved one surely included. */
export function timeZoneChoices(current: string): string[] {
  const zones = new Set<string>(Intl.supportedValuesOf("timeZone"));
  zones.add("UTC");
  zones.add(browserTimeZone());
  zones.add(current);
  return [...zones].sort();
}

import { type AccessPointKind, type Consent, DELIVERY_METHODS, type DeliveryMethod } from "@threshold/core";
import type { Selectable } from "kysely";
import Type, { type Static } from "typebox";
import type { Database } from "../../db/schema.js";
import { idParam } from "../../http/ownership.js";

export const DeliveryMethodSchema = Type.Enum(DELIVERY_METHODS, { description: "How a package is delivered." });

/** Notes reach the courier at the door; long enough for pets, alarms and where to put things. */
export const MAX_NOTES_LENGTH = 500;

const HHMM = "([01][0-9]|2[0-3]):[0-5][0-9]";

export const ConsentBody = Type.Object(
  {
    methods: Type.Array(DeliveryMethodSchema, {
      maxItems: DELIVERY_METHODS.length,
      uniqueItems: true,
      description: "Methods allowed through this access point; an empty list withdraws consent.",
    }),
    days: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), {
      minItems: 1,
      maxItems: 7,
      uniqueItems: true,
      description: "ISO weekdays on which access is allowed: 1 = Monday … 7 = Sunday.",
    }),
    from: Type.String({ pattern: `^${HHMM}$`, description: "Local start time, HH:MM (24-hour clock)." }),
    to: Type.String({
      pattern: `^(${HHMM}|24:00)$`,
      description: "Local end time, HH:MM, after `from` on the same day (24:00 for midnight).",
    }),
    timezone: Type.String({
      minLength: 1,
      maxLength: 64,
      description: "IANA time zone the times are in, e.g. Europe/Amsterdam.",
    }),
    notes: Type.Optional(
      Type.String({
        maxLength: MAX_NOTES_LENGTH,
        default: "",
        description: "For the courier at the door, e.g. 'dog shut in the kitchen'.",
      }),
    ),
    offlineCodes: Type.Optional(
      Type.Boolean({
        description:
          "Allow carriers to issue offline keypad codes for this door even while its lock is online (a fallback). Default false: offline codes only while the lock is offline. An offline code cannot be revoked while the lock is unreachable.",
      }),
    ),
  },
  { additionalProperties: false },
);
export type ConsentBody = Static<typeof ConsentBody>;

export const ConsentView = Type.Object({
  methods: Type.Array(DeliveryMethodSchema),
  days: Type.Array(Type.Integer({ minimum: 1, maximum: 7 })),
  from: Type.String({ description: "HH:MM, local." }),
  to: Type.String({ description: "HH:MM, local (24:00 is midnight)." }),
  timezone: Type.String(),
  notes: Type.String(),
  offlineCodes: Type.Boolean({ description: "Offline codes allowed even while the lock is online." }),
  updatedAt: Type.String({ format: "date-time" }),
});
export type ConsentView = Static<typeof ConsentView>;

export const AccessPointConsent = Type.Object({
  accessPointId: Type.String({ description: "acp_…" }),
  siteId: Type.String({ description: "sit_…" }),
  consent: Type.Union([ConsentView, Type.Null()], {
    description: "What the recipient allows here; null until they set it (which allows nothing).",
  }),
  suitedMethods: Type.Array(DeliveryMethodSchema, {
    description: "The methods this kind of access point can serve: the only ones `methods` may hold.",
  }),
});
export type AccessPointConsent = Static<typeof AccessPointConsent>;

export const ConsentParams = Type.Object({ id: idParam("accessPoint", "The access point's id (acp_…).") });

/** Which methods each kind of access point can serve; doorstep needs no access and fits anywhere. */
export const METHODS_FOR: Record<AccessPointKind, readonly DeliveryMethod[]> = {
  front_door: ["in_home", "doorstep"],
  building_entrance: ["in_home", "doorstep"],
  garage: ["in_garage", "doorstep"],
  fridge: ["in_fridge", "doorstep"],
  trunk: ["in_trunk"],
  compartment: ["locker"],
};

export type ConsentRow = Selectable<Database["consents"]>;

/** The stored row as the policy in @threshold/core reads it. */
export function toConsent(
  row: Pick<ConsentRow, "methods" | "days" | "from_minute" | "to_minute" | "timezone" | "notes">,
): Consent {
  return {
    methods: JSON.parse(row.methods) as DeliveryMethod[],
    days: JSON.parse(row.days) as number[],
    fromMinute: row.from_minute,
    toMinute: row.to_minute,
    timezone: row.timezone,
    notes: row.notes,
  };
}

export function parseClock(hhmm: string): number {
  const [hours, minutes] = hhmm.split(":").map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}

export function formatClock(minute: number): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(Math.floor(minute / 60))}:${pad(minute % 60)}`;
}

export function toConsentView(row: ConsentRow): ConsentView {
  const consent = toConsent(row);
  return {
    methods: consent.methods,
    days: consent.days,
    from: formatClock(consent.fromMinute),
    to: formatClock(consent.toMinute),
    timezone: consent.timezone,
    notes: consent.notes,
    offlineCodes: row.offline_codes === 1,
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

import { GUEST_KEY_KINDS, type GuestKeyKind } from "@threshold/core";
import type { Selectable } from "kysely";
import Type, { type Static } from "typebox";
import type { Database } from "../../db/schema.js";
import { idParam } from "../../http/ownership.js";
import { NullableTime, Time } from "../../http/schema-types.js";

/** setting → active → used (one-time) | expired | revoked, or failed when the lock did not take it. */
export const GUEST_KEY_STATUSES = ["setting", "active", "failed", "used", "expired", "revoked"] as const;
export type GuestKeyStatus = (typeof GUEST_KEY_STATUSES)[number];

/** Whether the lock has forgotten a key that no longer works: `pending` while the lock has not confirmed. */
export const REVOCATION_STATES = ["none", "pending", "done"] as const;
export type RevocationState = (typeof REVOCATION_STATES)[number];

export const PENDING_REVOCATION_NOTICE =
  "The lock has not confirmed yet (it may be offline): until it does, this PIN still opens the door. Threshold removes it the moment the lock is reachable.";

export const PENDING_PAUSE_NOTICE =
  "Paused while access is blocked, but the lock has not confirmed yet (it may be offline): until it does, this PIN still opens the door. Threshold removes it the moment the lock is reachable.";

const HOUR_MINUTE = Type.String({
  pattern: "^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$",
  description: "HH:MM, local time.",
});

export const CreateGuestKeyBody = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 60,
      description: "Who the key is for, as you will recognise it in notifications: 'Maria (cleaner)'.",
    }),
    kind: Type.Enum(GUEST_KEY_KINDS, {
      description:
        "permanent: until revoked. recurring: on weekDays between startTime and endTime. temporary: from validFrom to validUntil. one_time: opens once. expiring: stops expiresAfterFirstUseMinutes after its first use.",
    }),
    accessPointId: Type.Optional(
      idParam("accessPoint", "The door whose lock takes the key (acp_…); default: the site's front door."),
    ),
    validFrom: Type.Optional(Time("The key opens nothing before this time (default: now).")),
    validUntil: Type.Optional(
      Time(
        "The key opens nothing from this time on. Required for temporary; default for one_time and expiring: 30 days from now (the time to use it first); none for permanent and recurring.",
      ),
    ),
    weekDays: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), {
        minItems: 1,
        maxItems: 7,
        uniqueItems: true,
        description: "recurring: ISO weekdays, 1 = Monday … 7 = Sunday.",
      }),
    ),
    startTime: Type.Optional({ ...HOUR_MINUTE, description: "recurring: from this local time…" }),
    endTime: Type.Optional({ ...HOUR_MINUTE, description: "recurring: …until this local time, the same day." }),
    timeZone: Type.Optional(
      Type.String({
        maxLength: 64,
        description:
          "recurring: the IANA time zone of the hours (default: the door's delivery-consent time zone, else UTC).",
      }),
    ),
    expiresAfterFirstUseMinutes: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 525_600,
        description: "expiring: how long the key works after its first use.",
      }),
    ),
  },
  { additionalProperties: false },
);
export type CreateGuestKeyBody = Static<typeof CreateGuestKeyBody>;

export const GuestKeyParams = Type.Object({ id: idParam("guestKey", "The guest key's id (gky_…).") });
export const SiteGuestKeyParams = Type.Object({ id: idParam("site", "The site's id (sit_…).") });
export const SharedKeyParams = Type.Object({
  token: Type.String({ pattern: "^[A-Za-z0-9_-]{43}$", description: "The token of the share link." }),
});

const Schedule = Type.Object({
  weekDays: Type.Array(Type.Integer({ minimum: 1, maximum: 7 })),
  startTime: Type.String(),
  endTime: Type.String(),
  timeZone: Type.String(),
});

/** What a guest key's holder and its owner both see: the rules, and whether it opens right now. */
const KeyRules = {
  kind: Type.Enum(GUEST_KEY_KINDS),
  status: Type.Enum(GUEST_KEY_STATUSES),
  validFrom: Time(),
  validUntil: NullableTime("None for a permanent or recurring key with no end."),
  schedule: Type.Union([Schedule, Type.Null()], { description: "recurring keys: when they open." }),
  expiresAfterFirstUseMinutes: Type.Union([Type.Integer(), Type.Null()]),
  expiresAt: NullableTime("expiring keys, once used: when they stop."),
  worksNow: Type.Boolean({ description: "Typing the PIN now opens the door (as far as Threshold knows)." }),
};

export const GuestKey = Type.Object({
  id: Type.String(),
  siteId: Type.String(),
  accessPointId: Type.String(),
  accessPointName: Type.String(),
  name: Type.String(),
  ...KeyRules,
  pin: Type.Optional(Type.String({ description: "The digits: shown to the site's owner only." })),
  shareUrl: Type.Optional(
    Type.String({ description: "The link to send the guest; it shows them the PIN and its rules. Owner only." }),
  ),
  useCount: Type.Integer(),
  firstUsedAt: NullableTime(),
  lastUsedAt: NullableTime(),
  failureReason: Type.Union([Type.String(), Type.Null()], { description: "Why the lock did not take the key." }),
  revokedAt: NullableTime(),
  revocation: Type.Enum(REVOCATION_STATES, {
    description:
      "For a key that no longer works in Threshold (revoked, used, expired): pending until the lock confirms it forgot the PIN, then done.",
  }),
  paused: Type.Boolean({
    description:
      "The site's block switch is on: the key does not work until it is turned off, and the lock is told to forget the PIN meanwhile.",
  }),
  notice: Type.Union([Type.String(), Type.Null()]),
  createdAt: Time(),
});
export type GuestKey = Static<typeof GuestKey>;

export const GuestKeyList = Type.Object({ guestKeys: Type.Array(GuestKey) });

/** What the share link shows the guest: their PIN, where, and when it works. Nothing about the owner. */
export const SharedGuestKey = Type.Object({
  name: Type.String(),
  pin: Type.String(),
  place: Type.String({ description: "The home's name and the door, as the owner named them." }),
  ...KeyRules,
});
export type SharedGuestKey = Static<typeof SharedGuestKey>;

export type GuestKeyRow = Selectable<Database["guest_keys"]>;
export type { GuestKeyKind };

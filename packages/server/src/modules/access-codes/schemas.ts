import type { Selectable } from "kysely";
import Type, { type Static } from "typebox";
import type { Database } from "../../db/schema.js";
import { idParam } from "../../http/ownership.js";
import { NullableTime, Time } from "../../http/schema-types.js";

export const ACCESS_CODE_KINDS = ["online", "offline"] as const;
export type AccessCodeKind = (typeof ACCESS_CODE_KINDS)[number];

/**
 * Online codes: setting → set → used | expired | removed, or failed. Offline codes: issued → used |
 * expired, or issued → removing (withdrawn; the lock not told yet) → removed (the lock refuses it).
 */
export const ACCESS_CODE_STATUSES = [
  "setting",
  "set",
  "used",
  "expired",
  "removed",
  "failed",
  "issued",
  "removing",
] as const;
export type AccessCodeStatus = (typeof ACCESS_CODE_STATUSES)[number];

/** Who took a code away: its carrier (DELETE), or the recipient's block switch. */
export const REMOVED_REASONS = ["carrier", "access_blocked"] as const;
export type RemovedReason = (typeof REMOVED_REASONS)[number];

export const OFFLINE_NOTICE =
  "An offline code cannot be revoked while the lock is unreachable: until the lock hears of a withdrawal it opens the door once in its hour, whatever happens to the shipment.";

/** An offline code withdrawn while its lock is unreachable: said plainly, as the carrier must act on it. */
export const OFFLINE_REMOVING_NOTICE =
  "Withdrawal queued: the lock is unreachable, so until it is back online this code still opens the door once in its hour. Threshold tells the lock the moment it reconnects.";

export const RequestAccessCodeBody = Type.Object(
  {
    kind: Type.Optional(
      Type.Enum(ACCESS_CODE_KINDS, {
        description:
          "online (default): a one-time code programmed into the lock now, usable only after the courier checks in. offline: a code the lock checks with no network, for a lock that is offline; it cannot be revoked while the lock is unreachable.",
      }),
    ),
    at: Type.Optional(
      Time(
        "offline only: a moment inside the delivery window; the code is valid for the hour that contains it (default: now).",
      ),
    ),
  },
  { additionalProperties: false },
);
export type RequestAccessCodeBody = Static<typeof RequestAccessCodeBody>;

export const AccessCodeParams = Type.Object({
  id: idParam("shipment", "The shipment's id (shp_…)."),
  codeId: idParam("accessCode", "The access code's id (acc_…)."),
});

export const AccessCode = Type.Object({
  id: Type.String(),
  shipmentId: Type.String(),
  kind: Type.Enum(ACCESS_CODE_KINDS),
  status: Type.Enum(ACCESS_CODE_STATUSES),
  accessPointId: Type.String(),
  validFrom: Time("The lock refuses the code before this time."),
  validUntil: Time(
    "…and from this time on (an offline code: the end of its hour; the lock allows a few minutes of clock skew).",
  ),
  code: Type.Optional(
    Type.String({
      description:
        "The digits to type. Only the shipment's assigned courier is ever shown them, and only while the code is valid; never the carrier, the recipient or anyone else.",
    }),
  ),
  revocable: Type.Boolean({
    description:
      "False for offline codes: a withdrawal reaches the lock only while it is reachable (see notice and status removing).",
  }),
  notice: Type.Union([Type.String(), Type.Null()]),
  failureReason: Type.Union([Type.String(), Type.Null()], { description: "Why setting the code failed." }),
  removedReason: Type.Union([Type.Enum(REMOVED_REASONS), Type.Null()], {
    description:
      "Why the code was removed: carrier (withdrawn by its carrier) or access_blocked (the recipient blocked all access; it stays removed when the block is lifted: ask for a new code).",
  }),
  visitId: Type.Union([Type.String(), Type.Null()], { description: "The visit the code opened." }),
  usedAt: NullableTime("When the lock reports the code was used."),
  removedFromLockAt: NullableTime("When the lock confirmed the code is gone."),
  createdAt: Time(),
  updatedAt: Time(),
});
export type AccessCode = Static<typeof AccessCode>;

export const AccessCodeList = Type.Object({ accessCodes: Type.Array(AccessCode) });

export type AccessCodeRow = Selectable<Database["access_codes"]>;

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export function toAccessCode(row: AccessCodeRow, code: string | null): AccessCode {
  const offline = row.kind === "offline";
  return {
    id: row.id,
    shipmentId: row.shipment_id,
    kind: row.kind as AccessCodeKind,
    status: row.status as AccessCodeStatus,
    accessPointId: row.access_point_id,
    validFrom: iso(row.valid_from),
    validUntil: iso(row.valid_until),
    ...(code === null ? {} : { code }),
    revocable: !offline,
    notice: offline ? (row.status === "removing" ? OFFLINE_REMOVING_NOTICE : OFFLINE_NOTICE) : null,
    failureReason: row.failure_reason,
    removedReason: (row.removed_reason as RemovedReason | null) ?? null,
    visitId: row.visit_id,
    usedAt: isoOrNull(row.used_at),
    removedFromLockAt: isoOrNull(row.removed_from_lock_at),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

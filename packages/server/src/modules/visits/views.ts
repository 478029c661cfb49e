import { type Refusal, refusal } from "@threshold/core";
import Type, { type Static } from "typebox";
import type { Database } from "../../db/schema.js";
import { NullableTime, Time } from "../../http/schema-types.js";

export const RefusalSchema = Type.Object({
  code: Type.String({ description: "Stable code of the failed rule, e.g. outside_window, camera_not_live." }),
  message: Type.String({ description: "A sentence for the courier at the door." }),
});

export const VisitSchema = Type.Object(
  {
    id: Type.Union([Type.String(), Type.Null()], {
      description: "Null only for a refusal that names no shipment of yours.",
    }),
    status: Type.String({
      description: "requested → authorized → opening → open → securing → secured, or refused, aborted, incident",
    }),
    message: Type.String({ description: "What to tell the courier now, in one sentence." }),
    refusals: Type.Array(RefusalSchema),
    reason: Type.Union([Type.String(), Type.Null()], {
      description: "Why an authorized visit ended aborted or in an incident.",
    }),
    shipmentId: Type.Union([Type.String(), Type.Null()]),
    trackingNumber: Type.String(),
    siteId: Type.Union([Type.String(), Type.Null()]),
    accessPointId: Type.Union([Type.String(), Type.Null()]),
    requestedAt: Time(),
    openedAt: NullableTime(),
    deadlineAt: NullableTime(),
    securedAt: NullableTime(),
    endedAt: NullableTime(),
    doorSecuredAt: NullableTime(
      "A visit in incident whose door (or garage, or car) a retried lock proved secured: the home is safe, but nothing is delivered until the courier taps Done or a person resolves the incident saying it was. Null otherwise.",
    ),
    innerAccessPoint: Type.Union(
      [
        Type.Object({
          accessPointId: Type.String({ description: "acp_… of the fridge behind the front door." }),
          openedAt: NullableTime(),
          securedAt: NullableTime(),
        }),
        Type.Null(),
      ],
      {
        description:
          "A chained visit's second access point (a fridge behind the front door): opened by POST /v1/visits/{id}/open-next while the visit is open, and locked before the front door when it is secured. Null for a visit to one access point.",
      },
    ),
    alreadyOpen: Type.Optional(
      Type.Boolean({
        description:
          "Only on a scan (then 200, not 201): true when this courier's visit of this package was already under way (authorized, opening, open or securing). It is that visit; nothing new was opened or recorded.",
      }),
    ),
    secure: Type.Optional(
      Type.Object(
        { method: Type.Literal("POST"), path: Type.String({ description: "/v1/visits/{id}/secure" }) },
        { description: "With alreadyOpen, while the visit is open: how to lock the door (Done)." },
      ),
    ),
    accessCodeId: Type.Optional(
      Type.String({ description: "The keypad code this visit opens with (docs/access-codes.md); absent for a scan." }),
    ),
  },
  { $id: "Visit" },
);
export type VisitView = Static<typeof VisitSchema>;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const STATUS_MESSAGES: Record<string, string> = {
  authorized: "Authorized; opening the door.",
  opening: "Opening the door.",
  open: "Open. Leave the package inside, close the door, then tap Done to lock it.",
  securing: "Locking the door.",
  secured: "Locked and confirmed. You may go to your next stop.",
  aborted: "The door could not be opened safely, and it stays locked. Leave the package at the door.",
  incident:
    "The door was not confirmed locked. Dispatch and the customer have been alerted; stay until it is resolved.",
};

/**
 * An ended visit whose reason changes what the courier should do next. A code not typed in time
 * stays set on the lock (docs/access-codes.md), so "leave the package" would send them away wrongly.
 */
const ABORT_MESSAGES: Record<string, string> = {
  code_not_used:
    "The code was not typed in time, and the door stays locked. Your code is still set on the lock: check in again to use it.",
  access_blocked:
    "The customer has blocked all access, so the door stays locked (a code you were given no longer opens it). Leave the package at the door.",
};

/** The same, for a car's trunk (docs/in-car-delivery.md). */
const TRUNK_STATUS_MESSAGES: Record<string, string> = {
  authorized: "Authorized; releasing the trunk.",
  opening: "Releasing the trunk.",
  open: "Open: the trunk is released. Lift the lid, put the package in (or take the return out), shut it firmly, then tap Done to lock the car.",
  securing: "Locking the car.",
  secured: "The car is locked and confirmed. You may go to your next stop.",
  aborted: "The trunk could not be released safely, and the car stays locked. Use the customer's fallback.",
  incident:
    "The car was not confirmed locked with its trunk shut. Dispatch and the customer have been alerted; stay until it is resolved.",
};

/** An incident whose relock proved the door secured: safe, but not delivered until someone says so. */
const DOOR_SECURED_MESSAGE =
  "Locked and confirmed after an incident. If the package is inside, tap Done to confirm the delivery; otherwise tell dispatch.";

export function toVisitView(row: Database["visits"], trackingNumber: string): VisitView {
  const refusals = row.refusals ? (JSON.parse(row.refusals) as Refusal[]) : [];
  // Only a trunk visit records where the car stood (every authorized trunk visit does).
  const messages = row.car_lat != null ? TRUNK_STATUS_MESSAGES : STATUS_MESSAGES;
  return {
    id: row.id,
    status: row.status,
    message: refusals[0]?.message ?? messages[row.status] ?? row.status,
    refusals,
    reason: row.reason,
    shipmentId: row.shipment_id,
    trackingNumber,
    siteId: row.site_id,
    accessPointId: row.access_point_id,
    requestedAt: new Date(row.requested_at).toISOString(),
    openedAt: iso(row.opened_at),
    deadlineAt: iso(row.deadline_at),
    securedAt: iso(row.secured_at),
    endedAt: iso(row.ended_at),
    doorSecuredAt: iso(row.door_secured_at ?? null),
    innerAccessPoint: row.inner_access_point_id
      ? {
          accessPointId: row.inner_access_point_id,
          openedAt: iso(row.inner_opened_at ?? null),
          securedAt: iso(row.inner_secured_at ?? null),
        }
      : null,
    ...(row.access_code_id ? { accessCodeId: row.access_code_id } : {}),
    ...(messages === STATUS_MESSAGES && row.status === "aborted" && row.reason && ABORT_MESSAGES[row.reason]
      ? { message: ABORT_MESSAGES[row.reason] }
      : {}),
    ...(row.status === "incident" && row.door_secured_at != null ? { message: DOOR_SECURED_MESSAGE } : {}),
    ...(row.access_code_id && row.status === "opening"
      ? { message: "Type your code on the keypad now: it opens once, in the next two minutes." }
      : {}),
  };
}

/** A re-scan of a package whose visit by this courier is under way: that visit, said so, with how to end it. */
export function alreadyUnderWayView(row: Database["visits"], trackingNumber: string): VisitView {
  const view = toVisitView(row, trackingNumber);
  if (row.status !== "open") return { ...view, alreadyOpen: true };
  const trunk = row.car_lat != null;
  return {
    ...view,
    alreadyOpen: true,
    message: trunk
      ? "The trunk is already open for you: put the package in, shut it firmly, then tap Done to lock the car."
      : "The door is already open for you: leave the package inside, close the door, then tap Done to lock it.",
    secure: { method: "POST", path: `/v1/visits/${row.id}/secure` },
  };
}

/** The answer to a scan of a package that is not this courier's: nothing about it is revealed or stored. */
export function notAssignedView(trackingNumber: string, now: number): VisitView {
  const refused = refusal("not_assigned");
  return {
    id: null,
    status: "refused",
    message: refused.message,
    refusals: [refused],
    reason: null,
    shipmentId: null,
    trackingNumber,
    siteId: null,
    accessPointId: null,
    requestedAt: new Date(now).toISOString(),
    openedAt: null,
    deadlineAt: null,
    securedAt: null,
    endedAt: null,
    doorSecuredAt: null,
    innerAccessPoint: null,
  };
}

/** A visit in progress as the site's owner sees it live: who is at which door. */
export const LiveVisitSchema = Type.Object(
  {
    ...VisitSchema.properties,
    courierFirstName: Type.String({ description: "The courier's first name, as on the delivery proof." }),
    accessPointName: Type.Union([Type.String(), Type.Null()], { description: "e.g. Front door." }),
  },
  { $id: "LiveVisit" },
);
export type LiveVisitView = Static<typeof LiveVisitSchema>;

export function toLiveVisitView(
  row: Database["visits"] & { tracking_number: string; courier_name: string; access_point_name: string | null },
): LiveVisitView {
  const { tracking_number, courier_name, access_point_name, ...visit } = row;
  return {
    ...toVisitView(visit, tracking_number),
    courierFirstName: courier_name.split(/\s+/)[0] ?? "",
    accessPointName: access_point_name,
  };
}

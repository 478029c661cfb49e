import type { AccessPointKind, DeliveryMethod } from "@threshold/core";
import { isTimeZone, ThresholdError } from "@threshold/core";
import type { AppContext } from "../../context.js";
import type { Actor } from "../../http/actor.js";
import { foundOrNotFound, visibleOrNotFound } from "../../http/ownership.js";
import { findActiveAccessPoint } from "../access-points/repository.js";
import { canRead, changeableOrNotFound, requirePerson } from "../sites/site-access.js";
import { findConsent, upsertConsent } from "./repository.js";
import { type AccessPointConsent, type ConsentBody, METHODS_FOR, parseClock, toConsentView } from "./schemas.js";

type Ctx = Pick<AppContext, "db" | "clock" | "audit">;

/** The consent of an access point: its site's owner and operators may read it; to anyone else it does not exist. */
export async function getConsent(ctx: Ctx, actor: Actor, accessPointId: string): Promise<AccessPointConsent> {
  const user = requirePerson(actor, "read consent");
  const accessPoint = visibleOrNotFound(
    await findActiveAccessPoint(ctx.db, accessPointId),
    (ap) => canRead(user, ap.owner_id),
    "access point",
  );
  const row = await findConsent(ctx.db, accessPoint.id);
  return {
    accessPointId: accessPoint.id,
    siteId: accessPoint.site_id,
    consent: row ? toConsentView(row) : null,
    suitedMethods: suitedMethodsOf(accessPoint.kind),
  };
}

/** The site's owner says which methods this access point may serve, when, and what the courier should know. */
export async function setConsent(
  ctx: Ctx,
  actor: Actor,
  accessPointId: string,
  body: ConsentBody,
): Promise<AccessPointConsent> {
  const user = requirePerson(actor, "set consent");
  const accessPoint = changeableOrNotFound(
    user,
    await findActiveAccessPoint(ctx.db, accessPointId),
    (ap) => ap.owner_id,
    "access point",
  );
  const fromMinute = parseClock(body.from);
  const toMinute = parseClock(body.to);
  if (fromMinute >= toMinute) {
    throw new ThresholdError(
      "invalid_request",
      `from (${body.from}) must be before to (${body.to}) on the same day; a window cannot cross midnight.`,
    );
  }
  if (!isTimeZone(body.timezone)) {
    throw new ThresholdError(
      "invalid_request",
      `timezone "${body.timezone}" is not an IANA time zone; use one such as Europe/Amsterdam.`,
    );
  }
  const suited = suitedMethodsOf(accessPoint.kind);
  const unsuited = body.methods.filter((method) => !suited.includes(method));
  if (unsuited.length > 0) {
    throw new ThresholdError(
      "method_not_suited",
      `A ${accessPoint.kind} serves ${suited.join(" or ")}, not ${unsuited.join(", ")}; remove ${unsuited.length > 1 ? "them" : "it"}.`,
      { kind: accessPoint.kind, suited, unsuited },
    );
  }
  const methods = [...body.methods];
  const days = [...body.days].sort((a, b) => a - b);
  const notes = (body.notes ?? "").trim();
  const now = ctx.clock.now();
  await ctx.audit.transaction(async (trx, record) => {
    await upsertConsent(trx, {
      access_point_id: accessPoint.id,
      site_id: accessPoint.site_id,
      methods: JSON.stringify(methods),
      days: JSON.stringify(days),
      from_minute: fromMinute,
      to_minute: toMinute,
      timezone: body.timezone,
      notes,
      updated_at: now,
      offline_codes: body.offlineCodes ? 1 : 0,
    });
    record({
      type: "consent.updated",
      subjectType: "access_point",
      subjectId: accessPoint.id,
      siteId: accessPoint.site_id,
      actor: { type: "user", id: user.userId },
      // The notes stay out of the permanent log: free text may hold more than the recipient means to keep.
      data: {
        methods,
        days,
        from: body.from,
        to: body.to,
        timezone: body.timezone,
        hasNotes: notes.length > 0,
        offlineCodes: body.offlineCodes === true,
      },
    });
  });
  const row = foundOrNotFound(await findConsent(ctx.db, accessPoint.id), "consent");
  return {
    accessPointId: accessPoint.id,
    siteId: accessPoint.site_id,
    consent: toConsentView(row),
    suitedMethods: suited,
  };
}

/** The methods an access point of this kind can serve, so a settings screen offers only those. */
function suitedMethodsOf(kind: string): DeliveryMethod[] {
  return [...(METHODS_FOR[kind as AccessPointKind] ?? [])];
}

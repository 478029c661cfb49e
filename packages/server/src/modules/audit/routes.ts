import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { ID_BODY_PATTERN, isEventType, storedNamesOf } from "@threshold/core";
import type { FastifyInstance } from "fastify";
import Type from "typebox";
import type { AppContext } from "../../context.js";
import { requireUser } from "../../http/actor.js";
import { errorResponses } from "../../http/error-schema.js";
import { isOperator } from "../../http/ownership.js";
import { SESSION_ONLY } from "../auth/security.js";
import { readableSite } from "../sites/site-access.js";
import { toAuditEventView } from "./views.js";

export const AuditEventSchema = Type.Object(
  {
    seq: Type.Integer({ description: "Position in the chain, from 1." }),
    id: Type.String(),
    at: Type.String({ format: "date-time" }),
    type: Type.String({ description: "e.g. visit.opened, shipment.delivered, consent.updated" }),
    subjectType: Type.String(),
    subjectId: Type.String(),
    siteId: Type.Union([Type.String(), Type.Null()]),
    actorType: Type.String(),
    actorId: Type.Union([Type.String(), Type.Null()]),
    data: Type.Record(Type.String(), Type.Unknown()),
    prevHash: Type.String({ description: "SHA-256 of the event before, hex." }),
    hash: Type.String({ description: "SHA-256 of this event's canonical JSON without `hash`, hex." }),
  },
  { $id: "AuditEvent" },
);

const Query = Type.Object({
  siteId: Type.Optional(Type.String({ pattern: `^sit_${ID_BODY_PATTERN}$` })),
  subjectId: Type.Optional(Type.String({ maxLength: 40 })),
  actorId: Type.Optional(
    Type.String({ maxLength: 40, description: "Only what this actor did (a usr_…, an API key, a device)." }),
  ),
  type: Type.Optional(
    Type.String({
      maxLength: 64,
      description:
        "Exact type, or a prefix ending in a dot (visit.). An exact type also finds events stored under its former name (visit.opened finds visit.open).",
    }),
  ),
  afterSeq: Type.Optional(
    Type.Integer({
      minimum: 0,
      description: "Only events after this seq (oldest first: page on with the last seq you have).",
    }),
  ),
  beforeSeq: Type.Optional(
    Type.Integer({
      minimum: 1,
      description: "Only events before this seq (newest first: page on with the last seq you have).",
    }),
  ),
  order: Type.Optional(
    Type.Union([Type.Literal("asc"), Type.Literal("desc")], {
      description: "asc (the default): oldest first, in chain order; desc: newest first, as a person reads a log.",
    }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
});

export async function auditRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    "/audit/events",
    {
      schema: {
        tags: ["audit"],
        security: SESSION_ONLY,
        summary: "Read the audit log: recipients their homes' events, managers their buildings', operators all",
        description:
          "A recipient or a building manager reads the events of the sites they own (a home, a building: its deliveries, locker parcels, audited opens), with the same filters as an operator; another site's events are left out, and asking for that site is 404 like an unknown one. Oldest first unless `order=desc` (newest first, paged with `beforeSeq`).",
        querystring: Query,
        response: { 200: Type.Object({ events: Type.Array(AuditEventSchema) }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const actor = requireUser(request, "recipient", "manager", "operator");
      const { siteId, subjectId, actorId, type, afterSeq = 0, beforeSeq, order = "asc", limit = 100 } = request.query;
      let query = ctx.db
        .selectFrom("audit_events")
        .selectAll()
        .where("seq", ">", afterSeq)
        .orderBy("seq", order)
        .limit(limit);
      if (beforeSeq !== undefined) query = query.where("seq", "<", beforeSeq);
      if (!isOperator(actor)) {
        // A home's recipient and a building's manager are both the owner of their site.
        if (siteId) await readableSite(ctx.db, actor, siteId);
        query = query.where(
          "site_id",
          "in",
          ctx.db.selectFrom("sites").select("id").where("owner_id", "=", actor.userId),
        );
      }
      if (siteId) query = query.where("site_id", "=", siteId);
      if (subjectId) query = query.where("subject_id", "=", subjectId);
      if (actorId) query = query.where("actor_id", "=", actorId);
      if (type) {
        // A current name also finds the rows stored under its former names (docs/decisions.md, issue 16).
        query = type.endsWith(".")
          ? query.where("type", "like", `${type}%`)
          : query.where("type", "in", isEventType(type) ? storedNamesOf(type) : [type]);
      }
      const rows = await query.execute();
      return { events: rows.map(toAuditEventView) };
    },
  );

  api.post(
    "/operator/audit/verify",
    {
      schema: {
        tags: ["audit"],
        security: SESSION_ONLY,
        summary: "Re-walk the whole audit chain and report the first edited, deleted or reordered event (operators)",
        response: {
          200: Type.Object({
            ok: Type.Boolean(),
            checked: Type.Integer(),
            problem: Type.Optional(Type.Object({ kind: Type.String(), seq: Type.Integer() })),
          }),
          ...errorResponses(401, 403),
        },
      },
    },
    async (request) => {
      requireUser(request, "operator");
      const result = await ctx.audit.verify();
      return result.ok
        ? result
        : { ok: false, checked: result.checked, problem: { kind: result.problem.kind, seq: result.problem.seq } };
    },
  );
}

import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { ID_BODY_PATTERN, notFound } from "@threshold/core";
import type { FastifyInstance } from "fastify";
import Type from "typebox";
import type { AppContext } from "../../context.js";
import type { Database } from "../../db/schema.js";
import { requireUser, type UserActor } from "../../http/actor.js";
import { errorResponses } from "../../http/error-schema.js";
import { AuditEventSchema } from "../audit/routes.js";
import { toAuditEventView } from "../audit/views.js";
import { SESSION_ONLY } from "../auth/security.js";
import type { GarageClosedBy } from "./garage-closed.js";
import { INCIDENT_OUTCOMES, type IncidentOutcome, resolveIncident } from "./resolve.js";
import { incidentTimeline } from "./timeline.js";

const Incident = Type.Object(
  {
    id: Type.String(),
    visitId: Type.String(),
    siteId: Type.String(),
    kind: Type.String({ description: "not_secured, lock_failed, camera_lost, car_moved, server_restarted, …" }),
    status: Type.Union([Type.Literal("open"), Type.Literal("resolved")]),
    detail: Type.String(),
    openedAt: Type.String({ format: "date-time" }),
    resolvedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
    resolvedBy: Type.Union([Type.String(), Type.Null()]),
    resolution: Type.Union([Type.String(), Type.Null()]),
    doorClosed: Type.Union(
      [
        Type.Object({
          at: Type.String({ format: "date-time", description: "When the device proved it closed." }),
          by: Type.Union(
            [
              Type.Literal("courier"),
              Type.Literal("watchdog"),
              Type.Literal("owner_app"),
              Type.Literal("auto_close"),
              Type.Literal("at_the_door"),
            ],
            {
              description:
                "What closed it: the courier's Done, Threshold's automatic retry (watchdog), the owner's app, the opener's own auto-close, or something Threshold did not command (by hand or the wall button).",
            },
          ),
          commandId: Type.Union([Type.String(), Type.Null()], { description: "The close command, when one did it." }),
        }),
        Type.Null(),
      ],
      {
        description:
          "A garage left open: set once the opener's signed report says it closed. The incident stays open until a person resolves it.",
      },
    ),
    outcome: Type.Union([Type.Enum(INCIDENT_OUTCOMES), Type.Null()], {
      description:
        "What the person who resolved it said of the parcel: delivered (the shipment became delivered then, unless the courier had already confirmed), not_delivered, or null.",
    }),
  },
  { $id: "Incident" },
);

const IncidentId = Type.Object({ incidentId: Type.String({ pattern: `^inc_${ID_BODY_PATTERN}$` }) });

function toIncident(row: Database["incidents"]) {
  return {
    id: row.id,
    visitId: row.visit_id,
    siteId: row.site_id,
    kind: row.kind,
    status: row.status as "open" | "resolved",
    detail: row.detail,
    openedAt: new Date(row.opened_at).toISOString(),
    resolvedAt: row.resolved_at === null ? null : new Date(row.resolved_at).toISOString(),
    resolvedBy: row.resolved_by,
    resolution: row.resolution,
    doorClosed:
      row.door_closed_at === null
        ? null
        : {
            at: new Date(Number(row.door_closed_at)).toISOString(),
            by: row.door_closed_by as GarageClosedBy,
            commandId: row.door_closed_command_id,
          },
    outcome: (row.outcome ?? null) as IncidentOutcome | null,
  };
}

/** Operators see every incident; a recipient sees those at their own sites. */
function visibleIncidents(ctx: AppContext, actor: UserActor) {
  const query = ctx.db.selectFrom("incidents").selectAll();
  return actor.role === "operator"
    ? query
    : query.where("site_id", "in", ctx.db.selectFrom("sites").select("id").where("owner_id", "=", actor.userId));
}

export async function incidentRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    "/incidents",
    {
      schema: {
        tags: ["incidents"],
        security: SESSION_ONLY,
        summary: "Incidents: a door not proven locked in time, a lock that failed — open ones first",
        querystring: Type.Object({
          status: Type.Optional(Type.Union([Type.Literal("open"), Type.Literal("resolved")])),
        }),
        response: { 200: Type.Object({ incidents: Type.Array(Incident) }), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const actor = requireUser(request, "recipient", "operator");
      let query = visibleIncidents(ctx, actor).orderBy("status").orderBy("opened_at", "desc").limit(200);
      if (request.query.status) query = query.where("status", "=", request.query.status);
      return { incidents: (await query.execute()).map(toIncident) };
    },
  );

  api.get(
    "/incidents/:incidentId",
    {
      schema: {
        tags: ["incidents"],
        security: SESSION_ONLY,
        summary: "An incident with its timeline: the audit events of the incident, its visit and the visit's commands",
        description: "Operators see every incident, a recipient those at their own sites; 404 for any other.",
        params: IncidentId,
        response: {
          200: Type.Object({
            incident: Incident,
            timeline: Type.Array(AuditEventSchema, { description: "In chain order (oldest first)." }),
          }),
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const actor = requireUser(request, "recipient", "operator");
      const incident = await visibleIncidents(ctx, actor)
        .where("id", "=", request.params.incidentId)
        .executeTakeFirst();
      if (!incident) throw notFound("incident");
      const timeline = await incidentTimeline(ctx.db, incident);
      return { incident: toIncident(incident), timeline: timeline.map(toAuditEventView) };
    },
  );

  api.post(
    "/incidents/:incidentId/resolve",
    {
      schema: {
        tags: ["incidents"],
        security: SESSION_ONLY,
        summary: "Resolve an incident (operators, or the site's recipient), saying how",
        description:
          "An incident's relock only makes the door safe; it never delivers the parcel. Say `outcome: delivered` when the parcel is inside (the shipment becomes delivered, with a shipment.delivered event under your name), or `not_delivered` (it stays undelivered). Without an outcome the shipment stays as it is. `not_delivered` for a delivery the courier confirmed is a 409.",
        params: IncidentId,
        body: Type.Object(
          {
            resolution: Type.String({ minLength: 3, maxLength: 1000 }),
            outcome: Type.Optional(Type.Enum(INCIDENT_OUTCOMES)),
          },
          { additionalProperties: false },
        ),
        response: { 200: Incident, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const actor = requireUser(request, "recipient", "operator");
      const incident = await visibleIncidents(ctx, actor)
        .where("id", "=", request.params.incidentId)
        .executeTakeFirst();
      if (!incident) throw notFound("incident");
      await resolveIncident(ctx, actor, incident, request.body.resolution, request.body.outcome);
      const updated = await ctx.db
        .selectFrom("incidents")
        .selectAll()
        .where("id", "=", incident.id)
        .executeTakeFirstOrThrow();
      return toIncident(updated);
    },
  );
}

import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { ID_BODY_PATTERN, notFound } from "@threshold/core";
import type { DeliveryProof } from "@threshold/protocol";
import type { FastifyInstance } from "fastify";
import Type from "typebox";
import type { AppContext } from "../../context.js";
import type { Database } from "../../db/schema.js";
import { type Actor, requireActor, requireUser } from "../../http/actor.js";
import { errorResponses } from "../../http/error-schema.js";
import { idempotencyHeader, withIdempotency } from "../../http/idempotency.js";
import { SESSION_ONLY, SESSION_OR_API_KEY } from "../auth/security.js";
import { buildProof } from "./proof.js";
import { findVisitsInProgressForOwner } from "./repository.js";
import { VisitService } from "./service.js";
import { LiveVisitSchema, toLiveVisitView, toVisitView, VisitSchema, type VisitView } from "./views.js";

const VisitId = Type.Object({ visitId: Type.String({ pattern: `^vis_${ID_BODY_PATTERN}$` }) });

const ScanBody = Type.Object(
  {
    trackingNumber: Type.String({ minLength: 1, maxLength: 64, description: "What the courier scanned." }),
    location: Type.Object(
      {
        lat: Type.Number({ minimum: -90, maximum: 90 }),
        lng: Type.Number({ minimum: -180, maximum: 180 }),
        accuracyM: Type.Optional(Type.Number({ minimum: 0, maximum: 10_000 })),
      },
      { additionalProperties: false, description: "The courier's position when scanning." },
    ),
    siteId: Type.Optional(
      Type.String({ pattern: `^sit_${ID_BODY_PATTERN}$`, description: "The stop the courier is at, when known." }),
    ),
    accessCodeId: Type.Optional(
      Type.String({
        pattern: `^acc_${ID_BODY_PATTERN}$`,
        description:
          "Check in to open with this shipment's one-time keypad code: after every check and the camera, the code is enabled for two minutes and the visit is opening until the courier types it (docs/access-codes.md). 409 access_code_unusable when it is not this package's code, set on this door.",
      }),
    ),
  },
  { additionalProperties: false },
);

const IDEMPOTENCY_HEADER = idempotencyHeader("the door opens at most once.");

/** Who may read a visit: its courier, the site's owner, the carrier that sent the shipment, operators. */
async function canRead(ctx: AppContext, actor: Actor, visit: Database["visits"]): Promise<boolean> {
  if (actor.kind === "api_key") return actor.carrierId === visit.carrier_id && actor.scopes.includes("shipments:read");
  if (actor.role === "operator") return true;
  if (actor.role === "courier") return visit.courier_id === actor.userId;
  if (actor.role === "carrier_admin") return visit.carrier_id === actor.carrierId;
  if (actor.role === "recipient") {
    const site = await ctx.db.selectFrom("sites").select("owner_id").where("id", "=", visit.site_id).executeTakeFirst();
    return site?.owner_id === actor.userId;
  }
  return false;
}

function canReadShipment(
  actor: Actor,
  shipment: Database["shipments"],
  visit: Database["visits"] | undefined,
): boolean {
  if (actor.kind === "api_key")
    return actor.carrierId === shipment.carrier_id && actor.scopes.includes("shipments:read");
  if (actor.role === "operator") return true;
  if (actor.role === "recipient") return shipment.recipient_id === actor.userId;
  if (actor.role === "carrier_admin") return shipment.carrier_id === actor.carrierId;
  if (actor.role === "courier") return visit?.courier_id === actor.userId;
  return false;
}

export async function visitRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const visits = new VisitService(ctx);

  api.post(
    "/visits",
    {
      schema: {
        tags: ["visits"],
        security: SESSION_ONLY,
        summary: "Scan a package at the door: every rule is checked, then the camera records and the door unlocks",
        description:
          "Answers when the door is open (status open), or refused with every failed rule, or aborted with the reason. Send an Idempotency-Key: retries return the first answer and never open twice. Scanning a package whose visit by you is already under way answers 200 with that visit and alreadyOpen: true (and, while it is open, how to secure it); nothing is recorded.",
        headers: IDEMPOTENCY_HEADER,
        body: ScanBody,
        response: { 200: VisitSchema, 201: VisitSchema, ...errorResponses(400, 401, 403, 409, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      const courier = requireUser(request, "courier");
      const { body } = await withIdempotency<VisitView>(ctx, request, `visit-scan:${courier.userId}`, async () => {
        const view = await visits.scan(courier, request.body);
        // A re-scan answers the visit already under way: nothing was created.
        return { status: view.alreadyOpen ? 200 : 201, body: view };
      });
      // A retry with the same key replays the same body, so the status follows from it alike.
      return reply.status(body.alreadyOpen ? 200 : 201).send(body);
    },
  );

  api.post(
    "/visits/:visitId/secure",
    {
      schema: {
        tags: ["visits"],
        security: SESSION_ONLY,
        summary: "Done: lock the door; answers secured only once the lock reports locked and the door closed",
        headers: IDEMPOTENCY_HEADER,
        params: VisitId,
        response: { 200: VisitSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const courier = requireUser(request, "courier");
      const { body } = await withIdempotency<VisitView>(ctx, request, `visit-secure:${courier.userId}`, async () => ({
        status: 200,
        body: await visits.secure(courier, request.params.visitId),
      }));
      return reply.status(200).send(body);
    },
  );

  api.post(
    "/visits/:visitId/open-next",
    {
      schema: {
        tags: ["visits"],
        security: SESSION_ONLY,
        summary: "Open the next access point of a chained visit (the fridge behind the front door)",
        description:
          "The visit's courier only, while the front-door visit is open. The fridge's lock must be online, locked and closed, the camera live and access not blocked; answers once the fridge's lock reports unlocked. 409 visit_not_open while the front door is not open, no_next_access_point for a visit to one access point, conflict with the failed rules in details.refusals. Securing the visit then locks the fridge first, then the front door.",
        headers: IDEMPOTENCY_HEADER,
        params: VisitId,
        response: { 200: VisitSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const courier = requireUser(request, "courier");
      const { body } = await withIdempotency<VisitView>(
        ctx,
        request,
        `visit-open-next:${courier.userId}`,
        async () => ({
          status: 200,
          body: await visits.openNext(courier, request.params.visitId),
        }),
      );
      return reply.status(200).send(body);
    },
  );

  api.get(
    "/shipments/:id/proof",
    {
      schema: {
        tags: ["visits"],
        security: SESSION_OR_API_KEY,
        summary:
          "Signed proof of delivery: commands, the lock's signed reports, audit hashes and the keys to check them",
        description:
          "Verifiable by anyone with verifyProof from @threshold/protocol, or by hand with the public keys it carries.",
        params: Type.Object({ id: Type.String({ pattern: `^shp_${ID_BODY_PATTERN}$` }) }),
        response: {
          200: Type.Unsafe<DeliveryProof>({
            type: "object",
            additionalProperties: true,
            description: "A DeliveryProof (see @threshold/protocol).",
          }),
          ...errorResponses(400, 401, 404, 409),
        },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const shipment = await ctx.db
        .selectFrom("shipments")
        .selectAll()
        .where("id", "=", request.params.id)
        .executeTakeFirst();
      const visit = shipment?.delivered_visit_id
        ? await ctx.db.selectFrom("visits").selectAll().where("id", "=", shipment.delivered_visit_id).executeTakeFirst()
        : undefined;
      if (!shipment || !canReadShipment(actor, shipment, visit)) throw notFound("shipment");
      return buildProof(ctx, shipment.id);
    },
  );

  api.get(
    "/visits/in-progress",
    {
      schema: {
        tags: ["visits"],
        summary: "Visits in progress at your sites, with the courier's first name: what the live banner shows",
        description:
          "Recipients only. Visits that are authorized, opening, open or securing at a site you own, oldest first; follow GET /v1/events/stream for their next steps.",
        security: SESSION_ONLY,
        response: {
          200: Type.Object({ visits: Type.Array(LiveVisitSchema) }),
          ...errorResponses(401, 403),
        },
      },
    },
    async (request) => {
      const recipient = requireUser(request, "recipient");
      const rows = await findVisitsInProgressForOwner(ctx.db, recipient.userId);
      return { visits: rows.map(toLiveVisitView) };
    },
  );

  api.get(
    "/visits/:visitId",
    {
      schema: {
        tags: ["visits"],
        security: SESSION_OR_API_KEY,
        summary: "A visit, for its courier, the site's owner, the shipment's carrier and operators",
        params: VisitId,
        response: { 200: VisitSchema, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const found = await visits.get(request.params.visitId);
      if (!found || !(await canRead(ctx, actor, found.visit))) throw notFound("visit");
      return toVisitView(found.visit, found.shipment.tracking_number);
    },
  );
}

import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../context.js";
import { requireActor } from "../../http/actor.js";
import { errorResponses } from "../../http/error-schema.js";
import { SESSION_ONLY } from "../auth/security.js";
import { StopList, StopsQuery } from "./schemas.js";
import { listStops } from "./service.js";

/** What a courier needs on the road. */
export async function courierRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    "/courier/stops",
    {
      schema: {
        tags: ["courier"],
        summary: "Your stops for today and the next 24 h, earliest window first, each with a readiness check",
        description:
          "Couriers only. Assigned, undelivered shipments (with includeDelivered=true also today's delivered ones, marked deliveredAt); readiness says whether the door could open now (lock online, locked and closed, camera live, consent now, not blocked). The scan checks everything again.",
        security: SESSION_ONLY,
        querystring: StopsQuery,
        response: { 200: StopList, ...errorResponses(401, 403) },
      },
    },
    async (request) => ({
      stops: await listStops(ctx, requireActor(request), { includeDelivered: request.query.includeDelivered }),
    }),
  );
}

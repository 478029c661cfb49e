import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../context.js";
import { requireUser } from "../../http/actor.js";
import { errorResponses } from "../../http/error-schema.js";
import { SESSION_ONLY } from "../auth/security.js";
import { FleetPage, FleetQuery } from "./schemas.js";
import { listFleetDevices } from "./service.js";

/** The operator's view of every device on the platform: who is online, batteries, firmware. */
export async function fleetRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    "/operator/devices",
    {
      schema: {
        tags: ["devices"],
        summary: "Every device on the platform with its site, liveness, battery and firmware (operators)",
        description:
          "Filter by status (online, offline) and kind; page with limit and nextCursor. 400 for a bad cursor.",
        security: SESSION_ONLY,
        querystring: FleetQuery,
        response: { 200: FleetPage, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      requireUser(request, "operator");
      return listFleetDevices(ctx, request.query);
    },
  );
}

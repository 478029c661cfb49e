import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../context.js";
import { requireActor } from "../../http/actor.js";
import { errorResponses } from "../../http/error-schema.js";
import { SESSION_ONLY } from "../auth/security.js";
import { CreateSiteBody, Site, SiteDetail, SiteList, SiteParams } from "./schemas.js";
import { createSite, getSite, listSites } from "./service.js";

/** Sites: the places deliveries go to, each with its address, geo point and geofence. */
export async function siteRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.post(
    "/sites",
    {
      schema: {
        tags: ["sites"],
        summary: "Create a site (recipients): a place with an address, a geo point and a geofence",
        security: SESSION_ONLY,
        body: CreateSiteBody,
        response: { 201: Site, ...errorResponses(400, 401, 403, 413, 415) },
      },
    },
    async (request, reply) => reply.status(201).send(await createSite(ctx, requireActor(request), request.body)),
  );

  api.get(
    "/sites",
    {
      schema: {
        tags: ["sites"],
        summary: "Your sites, oldest first (operators: every site)",
        security: SESSION_ONLY,
        response: { 200: SiteList, ...errorResponses(401, 403) },
      },
    },
    async (request) => ({ sites: await listSites(ctx, requireActor(request)) }),
  );

  api.get(
    "/sites/:siteId",
    {
      schema: {
        tags: ["sites"],
        summary: "A site with its access points and a summary of its devices",
        security: SESSION_ONLY,
        params: SiteParams,
        response: { 200: SiteDetail, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => getSite(ctx, requireActor(request), request.params.siteId),
  );
}

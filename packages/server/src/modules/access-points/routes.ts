import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import Type from "typebox";
import type { AppContext } from "../../context.js";
import { requireActor } from "../../http/actor.js";
import { errorResponses } from "../../http/error-schema.js";
import { idParams } from "../../http/ownership.js";
import { SESSION_ONLY } from "../auth/security.js";
import { SiteParams } from "../sites/schemas.js";
import { OWNER_ACTIONS, OwnerControlResult, ownerControl } from "./owner-control.js";
import { AccessPointDetail, AccessPointList, CreateAccessPointBody } from "./schemas.js";
import { createAccessPoint, getAccessPoint, listAccessPoints, removeAccessPoint } from "./service.js";

const AccessPointParams = idParams("accessPoint", "access point");

/** Access points: what a courier may open at a site, with the device that opens it and its witness cameras. */
export async function accessPointRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.post(
    "/sites/:siteId/access-points",
    {
      schema: {
        tags: ["access-points"],
        summary: "Create an access point from an actuator and witness cameras paired at this site",
        description:
          "404 when a device is not paired at this site; 422 device_kind_mismatch when the actuator's kind does not suit the access point, or a camera is not a camera.",
        security: SESSION_ONLY,
        params: SiteParams,
        body: CreateAccessPointBody,
        response: { 201: AccessPointDetail, ...errorResponses(400, 401, 403, 404, 413, 415, 422) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createAccessPoint(ctx, requireActor(request), request.params.siteId, request.body)),
  );

  api.get(
    "/sites/:siteId/access-points",
    {
      schema: {
        tags: ["access-points"],
        summary: "A site's access points, oldest first",
        security: SESSION_ONLY,
        params: SiteParams,
        response: { 200: AccessPointList, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({ accessPoints: await listAccessPoints(ctx, requireActor(request), request.params.siteId) }),
  );

  api.get(
    "/access-points/:id",
    {
      schema: {
        tags: ["access-points"],
        summary: "An access point with the current state of its actuator and cameras",
        security: SESSION_ONLY,
        params: AccessPointParams,
        response: { 200: AccessPointDetail, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => getAccessPoint(ctx, requireActor(request), request.params.id),
  );

  api.delete(
    "/access-points/:id",
    {
      schema: {
        tags: ["access-points"],
        summary: "Remove an access point; its devices stay paired",
        security: SESSION_ONLY,
        params: AccessPointParams,
        response: { 204: Type.Null({ description: "Removed." }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await removeAccessPoint(ctx, requireActor(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  for (const action of OWNER_ACTIONS) {
    api.post(
      `/access-points/:id/${action}`,
      {
        schema: {
          tags: ["access-points"],
          summary:
            action === "open"
              ? "The owner unlocks (a garage: opens) their own door from the app"
              : "The owner locks (a garage: closes) their own door from the app",
          description:
            "A signed command to the door's actuator; the answer waits for the device (status succeeded, failed with a reason such as jammed or door_open, or timed_out when it does not answer). Recorded in the audit log under the owner's name. A keypad lockout does not block it. The site's owner only: operators get 403, anyone else 404.",
          security: SESSION_ONLY,
          params: AccessPointParams,
          response: { 200: OwnerControlResult, ...errorResponses(400, 401, 403, 404, 422) },
        },
      },
      async (request) => ownerControl(ctx, requireActor(request), request.params.id, action),
    );
  }
}

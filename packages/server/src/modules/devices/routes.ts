import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import Type from "typebox";
import type { AppContext } from "../../context.js";
import { requireActor } from "../../http/actor.js";
import { errorResponses } from "../../http/error-schema.js";
import { idParam } from "../../http/ownership.js";
import { SESSION_ONLY } from "../auth/security.js";
import { SiteParams } from "../sites/schemas.js";
import { Device, DeviceList, RenameDeviceBody } from "./schemas.js";
import { getDevice, listSiteDevices, removeDevice, renameDevice } from "./service.js";

const DeviceParams = Type.Object({ deviceId: idParam("device", "The device's id (dev_…).") });

/** Paired devices: reading their state, renaming and removing them. Pairing lives in the pairing module. */
export async function deviceRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    "/sites/:siteId/devices",
    {
      schema: {
        tags: ["devices"],
        summary: "A site's devices with their current state, oldest first",
        security: SESSION_ONLY,
        params: SiteParams,
        response: { 200: DeviceList, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({ devices: await listSiteDevices(ctx, requireActor(request), request.params.siteId) }),
  );

  api.get(
    "/devices/:deviceId",
    {
      schema: {
        tags: ["devices"],
        summary: "A device with its current state",
        security: SESSION_ONLY,
        params: DeviceParams,
        response: { 200: Device, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => getDevice(ctx, requireActor(request), request.params.deviceId),
  );

  api.patch(
    "/devices/:deviceId",
    {
      schema: {
        tags: ["devices"],
        summary: "Rename a device",
        security: SESSION_ONLY,
        params: DeviceParams,
        body: RenameDeviceBody,
        response: { 200: Device, ...errorResponses(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request) => renameDevice(ctx, requireActor(request), request.params.deviceId, request.body.name),
  );

  api.delete(
    "/devices/:deviceId",
    {
      schema: {
        tags: ["devices"],
        summary: "Remove a device: its credentials stop working at once and it is disconnected",
        description:
          "Refused (409 conflict) while the device opens an access point: remove the access point first. A camera is unlinked from its access points.",
        security: SESSION_ONLY,
        params: DeviceParams,
        response: { 204: Type.Null({ description: "Removed." }), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await removeDevice(ctx, requireActor(request), request.params.deviceId);
      return reply.status(204).send(null);
    },
  );
}

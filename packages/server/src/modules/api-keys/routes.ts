import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../context.js";
import { requireActor } from "../../http/actor.js";
import { errorResponses } from "../../http/error-schema.js";
import { idParams } from "../../http/ownership.js";
import { SESSION_ONLY } from "../auth/security.js";
import { ApiKey, ApiKeyList, CreateApiKeyBody, CreatedApiKey } from "./schemas.js";
import { createApiKey, listApiKeys, revokeApiKey } from "./service.js";

/** A carrier's API keys, managed by its carrier admins. */
export async function apiKeyRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.post(
    "/api-keys",
    {
      schema: {
        tags: ["api-keys"],
        summary: "Create an API key for your carrier; the full key is in this response only",
        security: SESSION_ONLY,
        body: CreateApiKeyBody,
        response: { 201: CreatedApiKey, ...errorResponses(400, 401, 403, 413, 415) },
      },
    },
    async (request, reply) => reply.status(201).send(await createApiKey(ctx, requireActor(request), request.body)),
  );

  api.get(
    "/api-keys",
    {
      schema: {
        tags: ["api-keys"],
        summary: "Your carrier's API keys, newest first, without their secrets",
        security: SESSION_ONLY,
        response: { 200: ApiKeyList, ...errorResponses(401, 403) },
      },
    },
    async (request) => ({ apiKeys: await listApiKeys(ctx, requireActor(request)) }),
  );

  api.delete(
    "/api-keys/:id",
    {
      schema: {
        tags: ["api-keys"],
        summary: "Revoke an API key of your carrier; it stops working at once",
        security: SESSION_ONLY,
        params: idParams("apiKey", "API key"),
        response: { 200: ApiKey, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => revokeApiKey(ctx, requireActor(request), request.params.id),
  );
}

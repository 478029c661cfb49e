import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import { newId } from "@threshold/core";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { AppContext } from "../context.js";
import { registerModules } from "../modules/index.js";
import { openApiWebhooks } from "../modules/webhooks/openapi-webhooks.js";
import { ErrorResponse } from "./error-schema.js";
import { installErrorHandling } from "./errors.js";
import { installOperationIds } from "./operation-id.js";
import { installRouteSecurityCheck, requireCredentialsWhereDeclared } from "./route-security.js";
import { installValidation } from "./validation.js";
import { serveWebApp } from "./web-app.js";

/** Large enough for any JSON call we accept; video segments will have their own route limits. */
export const BODY_LIMIT_BYTES = 64 * 1024;

export type App = FastifyInstance;

/** Builds the HTTP app (not listening). Routes live in modules; this wires what all of them share. */
export async function buildApp(ctx: AppContext): Promise<App> {
  const app = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: () => newId("request"),
    trustProxy: ctx.config.trustProxy,
    // Shutdown must not wait on idle keep-alive connections (or clients that never sent a request).
    forceCloseConnections: true,
  });

  installErrorHandling(app);
  // Before any route: every request, the API's and the web app's, is counted by route template.
  ctx.metrics.observeHttp(app);
  installValidation(app);
  installRouteSecurityCheck(app);
  installOperationIds(app);
  // JSON only: a text/plain body (fetch's default for strings) must get the clear 415, not a schema error.
  app.removeContentTypeParser("text/plain");
  app.addSchema(ErrorResponse);
  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Threshold API",
        version: "1",
        description:
          "Secure, recorded, unattended delivery. Authenticate with the session cookie from POST /v1/auth/login, or with an API key as `Authorization: Bearer thk_…`.",
        license: { name: "Apache-2.0", identifier: "Apache-2.0" },
      },
      // Relative: the API is served by whichever Threshold server serves this document (see /docs).
      servers: [{ url: "/", description: "This Threshold server" }],
      webhooks: openApiWebhooks(),
      components: {
        securitySchemes: {
          session: { type: "apiKey", in: "cookie", name: "th_session" },
          apiKey: { type: "http", scheme: "bearer" },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(fastifySwaggerUi, { routePrefix: "/docs" });

  app.decorateRequest("actor", null);
  app.addHook("onRequest", async (request) => {
    request.actor = await ctx.authenticator.resolve(request);
    requireCredentialsWhereDeclared(request);
  });

  await registerModules(app, ctx);
  await serveWebApp(app, ctx.config.webDir);
  return app;
}

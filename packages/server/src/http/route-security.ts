import type { FastifyInstance, FastifyRequest, FastifySchema, RouteOptions } from "fastify";
import { requireActor } from "./actor.js";

/** The OpenAPI `security` a route declares: an empty list is public, anything else needs credentials. */
function declaredSecurity(schema: FastifySchema | undefined): unknown[] | undefined {
  const security = (schema as { security?: unknown } | undefined)?.security;
  return Array.isArray(security) ? security : undefined;
}

/**
 * Every API route must say who may call it, so that "needs credentials" is never forgotten on one
 * route: the server refuses to start with a /v1 route (or /health) that declares no `security`.
 */
function requireDeclaredSecurity(route: RouteOptions): void {
  const api = route.url.startsWith("/v1/") || route.url === "/health";
  if (api && declaredSecurity(route.schema) === undefined) {
    throw new Error(`${String(route.method)} ${route.url} declares no security (PUBLIC, SESSION_ONLY, …)`);
  }
}

/**
 * Authentication before anything else looks at the request: a route that needs credentials refuses
 * an anonymous caller with 401 before its body is parsed or validated, so an anonymous caller
 * never learns a route's schema from its validation errors. Runs after the caller is resolved
 * (bad credentials were already refused there); roles and ownership stay with the services.
 */
export function requireCredentialsWhereDeclared(request: FastifyRequest): void {
  const security = declaredSecurity(request.routeOptions.schema);
  if (security !== undefined && security.length > 0) requireActor(request);
}

export function installRouteSecurityCheck(app: FastifyInstance): void {
  app.addHook("onRoute", requireDeclaredSecurity);
}

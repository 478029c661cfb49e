import type { FastifyInstance, RouteOptions } from "fastify";

/**
 * The OpenAPI `operationId` of a route, derived from its method and path so it is stable while the
 * route is, unique because method and path are, and never forgotten on a new route:
 * GET /v1/visits/:visitId/proof → getVisitsByVisitIdProof. The /v1 prefix is left out (every API
 * route has it); a route may still declare its own `operationId` in its schema.
 */
export function operationIdOf(method: string, url: string): string {
  const words = url
    .replace(/^\/v1(?=\/|$)/, "")
    .split("/")
    .filter((segment) => segment.length > 0)
    .flatMap((segment) => {
      if (segment === "*") return ["any"];
      if (segment.startsWith(":")) return ["by", ...wordsOf(segment.slice(1))];
      return wordsOf(segment);
    });
  return [method.toLowerCase(), ...words.map(capitalized)].join("");
}

/** Splits `open-next`, `api_keys` and `visitId` into their words. */
function wordsOf(segment: string): string[] {
  return segment
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word.length > 0)
    .map((word) => word.toLowerCase());
}

function capitalized(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function addOperationId(route: RouteOptions): void {
  const schema = route.schema as { hide?: boolean; operationId?: string } | undefined;
  if (!schema || schema.hide || schema.operationId) return;
  // Fastify adds a HEAD route for each GET with the same schema object; only the GET is documented.
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  const method = methods.find((m) => m !== "HEAD");
  if (!method) return;
  route.schema = { ...route.schema, operationId: operationIdOf(method, route.url) } as RouteOptions["schema"];
}

export function installOperationIds(app: FastifyInstance): void {
  app.addHook("onRoute", addOperationId);
}

import { type ApiKeyScope, type Role, ThresholdError } from "@threshold/core";
import type { FastifyRequest } from "fastify";

/** Who is calling: a signed-in person (session cookie) or a carrier's integration (API key). */
export type Actor =
  | { kind: "user"; userId: string; role: Role; carrierId: string | null; sessionTokenHash: string }
  | { kind: "api_key"; keyId: string; carrierId: string; scopes: readonly ApiKeyScope[] };

export type UserActor = Extract<Actor, { kind: "user" }>;

declare module "fastify" {
  interface FastifyRequest {
    actor: Actor | null;
  }
}

/** Resolves the caller from the request's credentials; rejects bad ones with a clear code. */
export interface Authenticator {
  resolve(request: FastifyRequest): Promise<Actor | null>;
}

export function requireActor(request: FastifyRequest): Actor {
  if (!request.actor)
    throw new ThresholdError("unauthenticated", "Sign in, or send an API key as Authorization: Bearer …");
  return request.actor;
}

/** A signed-in person with one of `roles` (any role when none is given). */
export function requireUser(request: FastifyRequest, ...roles: Role[]): UserActor {
  const actor = requireActor(request);
  if (actor.kind !== "user") throw new ThresholdError("forbidden", "This call needs a signed-in user, not an API key.");
  if (roles.length > 0 && !roles.includes(actor.role)) {
    throw new ThresholdError("forbidden", `This call is for ${roles.join(" or ")} accounts.`);
  }
  return actor;
}

/**
 * A carrier acting through an API key with `scope`, or a signed-in carrier_admin of that carrier
 * (who holds every scope of their own carrier). Returns the carrier id the call acts for.
 */
export function requireCarrierScope(request: FastifyRequest, scope: ApiKeyScope): { carrierId: string; actor: Actor } {
  const actor = requireActor(request);
  if (actor.kind === "api_key") {
    if (!actor.scopes.includes(scope)) throw new ThresholdError("forbidden", `This API key lacks the ${scope} scope.`);
    return { carrierId: actor.carrierId, actor };
  }
  if (actor.role === "carrier_admin" && actor.carrierId) return { carrierId: actor.carrierId, actor };
  throw new ThresholdError("forbidden", "This call is for carriers.");
}

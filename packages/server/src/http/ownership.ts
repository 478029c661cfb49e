import { ID_BODY_PATTERN, ID_PREFIXES, type IdKind, notFound, type Role, ThresholdError } from "@threshold/core";
import Type from "typebox";
import type { Actor, UserActor } from "./actor.js";

/**
 * Object-level authorization (DESIGN.md rule 5). A row the caller may not see is answered exactly
 * like a row that does not exist, so knowing an id gives nothing away.
 */
export function visibleOrNotFound<T>(row: T | undefined | null, visible: (row: T) => boolean, what: string): T {
  if (row === undefined || row === null || !visible(row)) throw notFound(what);
  return row;
}

/** A row that must exist (looked up by an id the caller was already allowed to use). */
export function foundOrNotFound<T>(row: T | undefined | null, what: string): T {
  return visibleOrNotFound(row, () => true, what);
}

/** Operators run the platform and see every object. */
export function isOperator(actor: Actor): boolean {
  return actor.kind === "user" && actor.role === "operator";
}

/**
 * For services, which receive the actor rather than the request: a signed-in person with one of
 * `roles`. Use it for actions, where a 403 leaks nothing; reads of objects answer 404 instead.
 */
export function requireRole(actor: Actor, roles: readonly Role[], action: string): UserActor {
  if (actor.kind !== "user") throw new ThresholdError("forbidden", `An API key cannot ${action}; sign in as a person.`);
  if (!roles.includes(actor.role)) {
    throw new ThresholdError("forbidden", `Only ${roles.join(" or ")} accounts can ${action}.`);
  }
  return actor;
}

/** The carrier the caller acts for: its own carrier for a carrier_admin or an API key, else null. */
export function actingCarrierId(actor: Actor): string | null {
  if (actor.kind === "api_key") return actor.carrierId;
  return actor.role === "carrier_admin" ? actor.carrierId : null;
}

// Same alphabet as newId() in @threshold/core: Crockford base32 without i, l, o, u.
const ID_BODY = ID_BODY_PATTERN;

/** A path parameter holding an id of `kind`; malformed ids are refused before they reach storage. */
export function idParam(kind: IdKind, description: string) {
  return Type.String({ pattern: `^${ID_PREFIXES[kind]}_${ID_BODY}$`, description });
}

/** `{ id }` path parameters for routes like `/things/{id}`. */
export function idParams(kind: IdKind, what: string) {
  return Type.Object({ id: idParam(kind, `The ${what}'s id (${ID_PREFIXES[kind]}_…).`) });
}

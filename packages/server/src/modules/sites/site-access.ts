import { ROLES, ThresholdError } from "@threshold/core";
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.js";
import type { Actor, UserActor } from "../../http/actor.js";
import { isOperator, requireRole, visibleOrNotFound } from "../../http/ownership.js";
import { findSiteById } from "./repository.js";
import type { SiteRow } from "./schemas.js";

/**
 * Who may do what with a site and everything in it (devices, access points): its owner may read and
 * change; operators may read all; to anyone else it does not exist (404, never 403).
 */

/** Any signed-in person. API keys act for carriers, which have no business with sites or devices. */
export function requirePerson(actor: Actor, action: string): UserActor {
  return requireRole(actor, ROLES, action);
}

export function canRead(user: UserActor, ownerId: string): boolean {
  return user.userId === ownerId || isOperator(user);
}

/**
 * The row, when `user` may change it. Operators can already see it, so telling them "not yours"
 * (403) leaks nothing; everyone else who is not the owner gets the same 404 as for a missing row.
 */
export function changeableOrNotFound<T>(
  user: UserActor,
  row: T | undefined,
  ownerOf: (row: T) => string,
  what: string,
): T {
  const visible = visibleOrNotFound(row, (r) => canRead(user, ownerOf(r)), what);
  if (ownerOf(visible) !== user.userId) {
    throw new ThresholdError("forbidden", `Only the owner can change this ${what}; operators may look but not change.`);
  }
  return visible;
}

export async function readableSite(db: Kysely<Database>, user: UserActor, siteId: string): Promise<SiteRow> {
  return visibleOrNotFound(await findSiteById(db, siteId), (site) => canRead(user, site.owner_id), "site");
}

export async function changeableSite(db: Kysely<Database>, user: UserActor, siteId: string): Promise<SiteRow> {
  return changeableOrNotFound(user, await findSiteById(db, siteId), (site) => site.owner_id, "site");
}

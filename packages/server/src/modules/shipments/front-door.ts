import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.js";
import { accessPointsOfSites, type SiteAccessPoint } from "./site-access-points.js";

/** A site's front door as in-home delivery uses it: what opens it, what witnesses it, what its owner allows. */
export type FrontDoor = SiteAccessPoint;

/**
 * The front door of each site that has one. When a site has several, the one whose consent allows
 * in_home wins, then the oldest: the same door that shipment creation checked consent on.
 * Pure data access (no authorization); callers decide who may see it.
 */
export function frontDoorsOfSites(db: Kysely<Database>, siteIds: readonly string[]): Promise<Map<string, FrontDoor>> {
  return accessPointsOfSites(db, siteIds, "front_door", "in_home");
}

/** The site's front door (see frontDoorsOfSites), or null when it has none. */
export async function findFrontDoor(db: Kysely<Database>, siteId: string): Promise<FrontDoor | null> {
  return (await frontDoorsOfSites(db, [siteId])).get(siteId) ?? null;
}

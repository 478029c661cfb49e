import type { DeliveryMethod } from "@threshold/core";
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.js";
import { frontDoorsOfSites } from "./front-door.js";
import { accessPointsForMethod } from "./site-access-points.js";

/** Where no door names a zone, times are shown (and labels printed) in UTC, and say so. */
export const FALLBACK_TIME_ZONE = "UTC";

/**
 * The IANA zone each shipment's times are shown in: the zone of the consent on the access point its
 * method goes through, else the site's front door's, else UTC. Labels print in it, and every screen
 * shows the window in it with the zone named, so the courier, the carrier and the label agree.
 */
export async function placeTimeZones(
  db: Kysely<Database>,
  rows: readonly { id: string; site_id: string; method: string }[],
): Promise<Map<string, string>> {
  const sitesByMethod = new Map<string, string[]>();
  for (const row of rows) sitesByMethod.set(row.method, [...(sitesByMethod.get(row.method) ?? []), row.site_id]);
  const [frontDoors, ...byMethod] = await Promise.all([
    frontDoorsOfSites(
      db,
      rows.map((row) => row.site_id),
    ),
    ...[...sitesByMethod].map(async ([method, siteIds]) => {
      const points = await accessPointsForMethod(db, siteIds, method as DeliveryMethod);
      return [method, points] as const;
    }),
  ]);
  const pointsOf = new Map(byMethod);
  return new Map(
    rows.map((row) => {
      const point = pointsOf.get(row.method)?.get(row.site_id) ?? frontDoors.get(row.site_id);
      return [row.id, point?.consent?.timezone ?? FALLBACK_TIME_ZONE];
    }),
  );
}

import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.js";

/** How many destinations the picker offers: the places shipped to most recently. */
export const MAX_DESTINATIONS = 200;

/** The sites a carrier has created shipments to, the most recently shipped to first. */
export function carrierSiteIds(db: Kysely<Database>, carrierId: string) {
  return db
    .selectFrom("shipments")
    .select(["site_id", (eb) => eb.fn.max("created_at").as("last_shipment_at")])
    .where("carrier_id", "=", carrierId)
    .groupBy("site_id")
    .orderBy("last_shipment_at", "desc")
    .orderBy("site_id")
    .limit(MAX_DESTINATIONS)
    .execute();
}

/** Which of these sites have a parcel locker bank (where the locker method is possible). */
export async function sitesWithLockerBank(db: Kysely<Database>, siteIds: readonly string[]): Promise<Set<string>> {
  if (siteIds.length === 0) return new Set();
  const rows = await db
    .selectFrom("locker_banks")
    .select("site_id")
    .where("site_id", "in", [...siteIds])
    .execute();
  return new Set(rows.map((row) => row.site_id));
}

/** Which of these access points are the trunk of a car still set up (what in_trunk goes through). */
export async function accessPointsWithCar(
  db: Kysely<Database>,
  accessPointIds: readonly string[],
): Promise<Set<string>> {
  if (accessPointIds.length === 0) return new Set();
  const rows = await db
    .selectFrom("cars")
    .select("access_point_id")
    .where("access_point_id", "in", [...accessPointIds])
    .where("removed_at", "is", null)
    .execute();
  return new Set(rows.flatMap((row) => (row.access_point_id === null ? [] : [row.access_point_id])));
}

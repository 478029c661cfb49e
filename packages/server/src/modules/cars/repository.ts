import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.js";
import type { CarRow } from "./schemas.js";

export function findActiveCar(db: Kysely<Database>, id: string): Promise<CarRow | undefined> {
  return db.selectFrom("cars").selectAll().where("id", "=", id).where("removed_at", "is", null).executeTakeFirst();
}

export function listCarsOfOwner(db: Kysely<Database>, ownerId: string): Promise<CarRow[]> {
  return db
    .selectFrom("cars")
    .selectAll()
    .where("owner_id", "=", ownerId)
    .where("removed_at", "is", null)
    .orderBy("created_at")
    .execute();
}

/** The car whose trunk is this access point (what a trunk visit goes through). */
export function findCarOfAccessPoint(db: Kysely<Database>, accessPointId: string): Promise<CarRow | undefined> {
  return db
    .selectFrom("cars")
    .selectAll()
    .where("access_point_id", "=", accessPointId)
    .where("removed_at", "is", null)
    .executeTakeFirst();
}

export function findCarOfDevice(db: Kysely<Database>, deviceId: string): Promise<CarRow | undefined> {
  return db
    .selectFrom("cars")
    .selectAll()
    .where("device_id", "=", deviceId)
    .where("removed_at", "is", null)
    .executeTakeFirst();
}

export async function updateCar(db: Kysely<Database>, id: string, patch: Partial<CarRow>): Promise<boolean> {
  const result = await db
    .updateTable("cars")
    .set(patch)
    .where("id", "=", id)
    .where("removed_at", "is", null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * The IANA zone of the car's home: the newest consent on another door of its site. A car has no
 * zone of its own (it moves), so its trunk's times are shown in the zone of the home it belongs to.
 */
export async function homeTimeZone(
  db: Kysely<Database>,
  siteId: string,
  trunkAccessPointId: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom("consents")
    .select("timezone")
    .where("site_id", "=", siteId)
    .where("access_point_id", "!=", trunkAccessPointId)
    .orderBy("updated_at", "desc")
    .limit(1)
    .executeTakeFirst();
  return row?.timezone;
}

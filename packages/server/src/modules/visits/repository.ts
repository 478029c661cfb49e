import { type Kysely, sql, type Transaction } from "kysely";
import type { Database } from "../../db/schema.js";

type Db = Kysely<Database> | Transaction<Database>;

/** Visit statuses during which the door may be or become open. */
export const IN_PROGRESS = ["authorized", "opening", "open", "securing"] as const;
export type VisitStatus = (typeof IN_PROGRESS)[number] | "secured" | "refused" | "aborted" | "incident";

/** Tracking numbers are unique per carrier, so a scan looks among the courier's own carrier's shipments. */
export function findShipmentByTracking(db: Db, carrierId: string, trackingNumber: string) {
  return db
    .selectFrom("shipments")
    .selectAll()
    .where("carrier_id", "=", carrierId)
    .where("tracking_number", "=", trackingNumber)
    .executeTakeFirst();
}

export function findSite(db: Db, siteId: string) {
  return db.selectFrom("sites").selectAll().where("id", "=", siteId).executeTakeFirst();
}

export function findDevice(db: Db, deviceId: string) {
  return db
    .selectFrom("devices")
    .select(["id", "online", "last_seen_at", "reported_state"])
    .where("id", "=", deviceId)
    .where("removed_at", "is", null)
    .executeTakeFirst();
}

export async function hasVisitInProgress(
  db: Db,
  column: "access_point_id" | "courier_id",
  value: string,
): Promise<boolean> {
  const row = await db
    .selectFrom("visits")
    .select("id")
    .where(column, "=", value)
    // The statuses are written literally, as in the partial unique indexes, so SQLite can prove the
    // index applies and answer from it instead of walking every past visit of the door or courier.
    .where(sql<boolean>`status in ('authorized', 'opening', 'open', 'securing')`)
    .executeTakeFirst();
  return Boolean(row);
}

/** This courier's visit of this shipment that is still under way, if any (at most one: one per courier). */
export function findVisitInProgressOfShipment(db: Db, shipmentId: string, courierId: string) {
  return db
    .selectFrom("visits")
    .selectAll()
    .where("courier_id", "=", courierId)
    .where("shipment_id", "=", shipmentId)
    .where(sql<boolean>`status in ('authorized', 'opening', 'open', 'securing')`)
    .executeTakeFirst();
}

export function findVisit(db: Db, visitId: string) {
  return db.selectFrom("visits").selectAll().where("id", "=", visitId).executeTakeFirst();
}

/** Moves a visit on only if it is still in one of `from`: racing writers (watchdog, courier) cannot both win. */
export async function transition(
  db: Db,
  visitId: string,
  from: readonly VisitStatus[],
  patch: Partial<Database["visits"]> & { status: VisitStatus; updated_at: number },
): Promise<boolean> {
  const result = await db
    .updateTable("visits")
    .set(patch)
    .where("id", "=", visitId)
    .where("status", "in", from)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * The visits in progress at the sites `ownerId` owns, with what the owner is told about them: the
 * courier's first name and the access point's name. Few visits are ever in progress at once, so
 * the status index finds them without reading history.
 */
export function findVisitsInProgressForOwner(db: Db, ownerId: string) {
  return db
    .selectFrom("visits")
    .innerJoin("sites", "sites.id", "visits.site_id")
    .innerJoin("shipments", "shipments.id", "visits.shipment_id")
    .innerJoin("users", "users.id", "visits.courier_id")
    .leftJoin("access_points", "access_points.id", "visits.access_point_id")
    .selectAll("visits")
    .select([
      "shipments.tracking_number as tracking_number",
      "users.name as courier_name",
      "access_points.name as access_point_name",
    ])
    .where("sites.owner_id", "=", ownerId)
    .where(sql<boolean>`visits.status in ('authorized', 'opening', 'open', 'securing')`)
    .orderBy("visits.requested_at")
    .execute();
}

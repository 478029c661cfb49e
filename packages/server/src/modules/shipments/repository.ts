import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.js";
import type { ShipmentStatus } from "./schemas.js";

/** Visit statuses during which a door may be or become open (the visits table's own list). */
const VISIT_IN_PROGRESS = ["authorized", "opening", "open", "securing"] as const;

export async function insertShipment(db: Kysely<Database>, row: Database["shipments"]): Promise<void> {
  await db.insertInto("shipments").values(row).execute();
}

export function findShipmentById(db: Kysely<Database>, id: string) {
  return db.selectFrom("shipments").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function trackingNumberExists(
  db: Kysely<Database>,
  carrierId: string,
  trackingNumber: string,
): Promise<boolean> {
  const row = await db
    .selectFrom("shipments")
    .select("id")
    .where("carrier_id", "=", carrierId)
    .where("tracking_number", "=", trackingNumber)
    .executeTakeFirst();
  return row !== undefined;
}

/** A courier account of this carrier that can take work; another carrier's courier is not found. */
export function findActiveCourierOfCarrier(db: Kysely<Database>, carrierId: string, userId: string) {
  return db
    .selectFrom("users")
    .select(["id"])
    .where("id", "=", userId)
    .where("role", "=", "courier")
    .where("carrier_id", "=", carrierId)
    .where("disabled_at", "is", null)
    .executeTakeFirst();
}

export async function shipmentHasVisitInProgress(db: Kysely<Database>, shipmentId: string): Promise<boolean> {
  const row = await db
    .selectFrom("visits")
    .select("id")
    .where("shipment_id", "=", shipmentId)
    .where("status", "in", VISIT_IN_PROGRESS)
    .executeTakeFirst();
  return row !== undefined;
}

/** Assigns only from a status that allows it, so a racing delivery or cancellation wins cleanly. */
export async function assignCourier(
  db: Kysely<Database>,
  id: string,
  courierId: string,
  from: readonly ShipmentStatus[],
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable("shipments")
    .set({ courier_id: courierId, status: "assigned", updated_at: now })
    .where("id", "=", id)
    .where("status", "in", from)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export interface ShipmentFilter {
  carrierId?: string;
  recipientId?: string;
  courierId?: string;
  status?: ShipmentStatus;
  /** Only windows ending after (upcoming) or at/before (past) this instant. */
  endsAfter?: number;
  endsBy?: number;
  /** Keyset paging on (window_start, id), descending. */
  before?: { windowStart: number; id: string };
  limit: number;
}

export function listShipments(db: Kysely<Database>, filter: ShipmentFilter) {
  let query = db.selectFrom("shipments").selectAll();
  if (filter.carrierId !== undefined) query = query.where("carrier_id", "=", filter.carrierId);
  if (filter.recipientId !== undefined) query = query.where("recipient_id", "=", filter.recipientId);
  if (filter.courierId !== undefined) query = query.where("courier_id", "=", filter.courierId);
  if (filter.status !== undefined) query = query.where("status", "=", filter.status);
  if (filter.endsAfter !== undefined) query = query.where("window_end", ">", filter.endsAfter);
  if (filter.endsBy !== undefined) query = query.where("window_end", "<=", filter.endsBy);
  const before = filter.before;
  if (before) {
    query = query.where((eb) =>
      eb.or([
        eb("window_start", "<", before.windowStart),
        eb.and([eb("window_start", "=", before.windowStart), eb("id", "<", before.id)]),
      ]),
    );
  }
  return query.orderBy("window_start", "desc").orderBy("id", "desc").limit(filter.limit).execute();
}

export async function sitesByIds(db: Kysely<Database>, ids: readonly string[]) {
  if (ids.length === 0) return new Map<string, Database["sites"]>();
  const rows = await db
    .selectFrom("sites")
    .selectAll()
    .where("id", "in", [...new Set(ids)])
    .execute();
  return new Map(rows.map((row) => [row.id, row]));
}

export async function carrierNames(db: Kysely<Database>, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom("carriers")
    .select(["id", "name"])
    .where("id", "in", [...new Set(ids)])
    .execute();
  return new Map(rows.map((row) => [row.id, row.name]));
}

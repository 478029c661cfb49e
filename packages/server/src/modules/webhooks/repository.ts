import type { Kysely, Transaction } from "kysely";
import type { Dialect } from "../../db/database.js";
import type { Database } from "../../db/schema.js";
import type { AttemptRow, DeliveryRow } from "./schemas.js";

// Every query is scoped by carrier: another carrier's endpoint or delivery is simply not found.
type Db = Kysely<Database> | Transaction<Database>;

const ENDPOINT_COLUMNS = ["id", "carrier_id", "url", "event_types", "created_at", "disabled_at", "after_seq"] as const;

export async function insertEndpoint(db: Db, row: Database["webhook_endpoints"]): Promise<void> {
  await db.insertInto("webhook_endpoints").values(row).execute();
}

/**
 * The seq of the newest audit event, locking the chain's head until commit (PostgreSQL; SQLite's
 * transaction already excludes other writers): every event after it commits after the caller's
 * transaction, so an endpoint created with it as `after_seq` misses none of the events that follow.
 */
export async function lockAuditHeadSeq(db: Db, dialect: Dialect): Promise<number> {
  const query = db.selectFrom("audit_head").select("seq").where("id", "=", 1);
  return (await (dialect === "postgres" ? query.forUpdate() : query).executeTakeFirstOrThrow()).seq;
}

export function findCarrierEndpoint(db: Db, carrierId: string, id: string) {
  return db
    .selectFrom("webhook_endpoints")
    .select(ENDPOINT_COLUMNS)
    .where("carrier_id", "=", carrierId)
    .where("id", "=", id)
    .executeTakeFirst();
}

export function findCarrierEndpointSecret(db: Db, carrierId: string, id: string) {
  return db
    .selectFrom("webhook_endpoints")
    .select("secret")
    .where("carrier_id", "=", carrierId)
    .where("id", "=", id)
    .executeTakeFirst();
}

export function listCarrierEndpoints(db: Db, carrierId: string) {
  return db
    .selectFrom("webhook_endpoints")
    .select(ENDPOINT_COLUMNS)
    .where("carrier_id", "=", carrierId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .execute();
}

/** Sets disabled_at once (disabling again keeps the first time); returns whether it changed. */
export async function disableEndpoint(db: Db, carrierId: string, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable("webhook_endpoints")
    .set({ disabled_at: now })
    .where("carrier_id", "=", carrierId)
    .where("id", "=", id)
    .where("disabled_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Pending deliveries of a disabled endpoint end failed, except one being sent right now (its worker ends it). */
export async function failPendingDeliveries(db: Db, endpointId: string, now: number): Promise<void> {
  await db
    .updateTable("webhook_deliveries")
    .set({ status: "failed", last_error: "endpoint disabled" })
    .where("endpoint_id", "=", endpointId)
    .where("status", "=", "pending")
    .where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<=", now)]))
    .execute();
}

export async function listEndpointDeliveries(
  db: Db,
  endpointId: string,
  options: { limit: number; status?: string },
): Promise<DeliveryRow[]> {
  let query = db.selectFrom("webhook_deliveries").selectAll().where("endpoint_id", "=", endpointId);
  if (options.status) query = query.where("status", "=", options.status);
  return query
    .orderBy("created_at", "desc")
    .orderBy("audit_seq", "desc")
    .orderBy("id", "desc")
    .limit(options.limit)
    .execute();
}

export function findCarrierDelivery(db: Db, carrierId: string, id: string) {
  return db
    .selectFrom("webhook_deliveries")
    .innerJoin("webhook_endpoints", "webhook_endpoints.id", "webhook_deliveries.endpoint_id")
    .selectAll("webhook_deliveries")
    .select("webhook_endpoints.disabled_at as endpoint_disabled_at")
    .where("webhook_endpoints.carrier_id", "=", carrierId)
    .where("webhook_deliveries.id", "=", id)
    .executeTakeFirst();
}

/** Attempts of these deliveries, oldest first, grouped by delivery id. */
export async function attemptsOf(db: Db, deliveryIds: string[]): Promise<Map<string, AttemptRow[]>> {
  const byDelivery = new Map<string, AttemptRow[]>();
  if (deliveryIds.length === 0) return byDelivery;
  const rows = await db
    .selectFrom("webhook_attempts")
    .selectAll()
    .where("delivery_id", "in", deliveryIds)
    .orderBy("delivery_id")
    .orderBy("attempt")
    .execute();
  for (const row of rows) {
    const list = byDelivery.get(row.delivery_id) ?? [];
    list.push(row);
    byDelivery.set(row.delivery_id, list);
  }
  return byDelivery;
}

/**
 * Makes a delivery due now, unless a worker holds it (an attempt is in flight); returns whether
 * it did. The attempt count goes on, so a failed delivery retried by hand gets one more attempt.
 */
export async function scheduleNow(db: Db, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable("webhook_deliveries")
    .set({ status: "pending", next_attempt_at: now, locked_until: null })
    .where("id", "=", id)
    .where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<=", now)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

import type { Insertable, Kysely } from "kysely";
import type { Database } from "../../db/schema.js";

// Every column but secret_hash (written, never read back out through the API) and the gateway's
// freshness marks (state_at, offline_after: its own bookkeeping).
const DEVICE_COLUMNS = [
  "id",
  "site_id",
  "owner_id",
  "kind",
  "name",
  "model",
  "firmware",
  "public_key",
  "trusted_kid",
  "reported_state",
  "online",
  "last_seen_at",
  "paired_at",
  "removed_at",
  "takeover_count",
  "last_takeover_at",
] as const;

export function insertDevice(db: Kysely<Database>, device: Insertable<Database["devices"]>) {
  return db.insertInto("devices").values(device).execute();
}

/** A device that has not been removed; removed devices do not exist as far as the API is concerned. */
export function findActiveDevice(db: Kysely<Database>, id: string) {
  return db
    .selectFrom("devices")
    .select(DEVICE_COLUMNS)
    .where("id", "=", id)
    .where("removed_at", "is", null)
    .executeTakeFirst();
}

export function listActiveDevicesOfSite(db: Kysely<Database>, siteId: string) {
  return db
    .selectFrom("devices")
    .select(DEVICE_COLUMNS)
    .where("site_id", "=", siteId)
    .where("removed_at", "is", null)
    .orderBy("paired_at")
    .orderBy("id")
    .execute();
}

export function listActiveDevicesByIds(db: Kysely<Database>, ids: readonly string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom("devices")
    .select(DEVICE_COLUMNS)
    .where("id", "in", ids)
    .where("removed_at", "is", null)
    .execute();
}

export async function renameDevice(db: Kysely<Database>, id: string, name: string): Promise<boolean> {
  const result = await db
    .updateTable("devices")
    .set({ name })
    .where("id", "=", id)
    .where("removed_at", "is", null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Marks a device removed and overwrites its secret hash, so its MQTT password can never work again.
 * In a transaction this also holds the row, so an access point cannot adopt the device meanwhile.
 */
export async function retireDevice(
  db: Kysely<Database>,
  id: string,
  now: number,
  replacementSecretHash: string,
): Promise<boolean> {
  const result = await db
    .updateTable("devices")
    .set({ removed_at: now, secret_hash: replacementSecretHash, online: 0 })
    .where("id", "=", id)
    .where("removed_at", "is", null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Takes the row locks of active devices of one site (a no-op write; PostgreSQL locks the rows,
 * SQLite the database) and counts them. Used before an access point starts to depend on them, so
 * that a concurrent removal either finishes first (and the count falls short) or waits and then
 * sees the access point.
 */
export async function holdActiveDevices(db: Kysely<Database>, siteId: string, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db
    .updateTable("devices")
    .set({ removed_at: null })
    .where("id", "in", ids)
    .where("site_id", "=", siteId)
    .where("removed_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

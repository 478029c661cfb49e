import type { Kysely, Transaction, Updateable } from "kysely";
import type { Database } from "../../db/schema.js";
import type { AccessCodeRow, AccessCodeStatus } from "./schemas.js";

type Db = Kysely<Database> | Transaction<Database>;

export function insertAccessCode(db: Db, row: AccessCodeRow) {
  return db.insertInto("access_codes").values(row).execute();
}

export function findAccessCode(db: Db, id: string): Promise<AccessCodeRow | undefined> {
  return db.selectFrom("access_codes").selectAll().where("id", "=", id).executeTakeFirst();
}

export function accessCodesOfShipment(db: Db, shipmentId: string): Promise<AccessCodeRow[]> {
  return db
    .selectFrom("access_codes")
    .selectAll()
    .where("shipment_id", "=", shipmentId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
}

export function findOfflineCode(
  db: Db,
  deviceId: string,
  slot: number,
  counter: number,
): Promise<AccessCodeRow | undefined> {
  return db
    .selectFrom("access_codes")
    .selectAll()
    .where("device_id", "=", deviceId)
    .where("kind", "=", "offline")
    .where("slot", "=", slot)
    .where("counter", "=", counter)
    .executeTakeFirst();
}

/** The next unused counter of a lock's slot; the unique index settles races. */
export async function nextOfflineCounter(db: Db, deviceId: string, slot: number): Promise<number> {
  const row = await db
    .selectFrom("access_codes")
    .select((eb) => eb.fn.max("counter").as("last"))
    .where("device_id", "=", deviceId)
    .where("slot", "=", slot)
    .executeTakeFirst();
  const last = row?.last;
  return last === null || last === undefined ? 0 : Number(last) + 1;
}

/**
 * Moves a code from one of `from` to `to` with `patch`; false when it was no longer in `from`.
 * A conditional update, so of several processes (or a racing event and worker) exactly one wins.
 */
export async function transitionCode(
  db: Db,
  id: string,
  from: readonly AccessCodeStatus[],
  to: AccessCodeStatus,
  patch: Updateable<Database["access_codes"]>,
): Promise<boolean> {
  const result = await db
    .updateTable("access_codes")
    .set({ ...patch, status: to })
    .where("id", "=", id)
    .where("status", "in", [...from])
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** The lock's row as codes need it: its site, liveness, state and sealed pairing secret. */
export function findLock(db: Db, deviceId: string) {
  return db
    .selectFrom("devices")
    .select(["id", "site_id", "online", "last_seen_at", "reported_state", "offline_secret"])
    .where("id", "=", deviceId)
    .where("removed_at", "is", null)
    .executeTakeFirst();
}

import type { Insertable, Kysely } from "kysely";
import type { Database } from "../../db/schema.js";

/** pending → paired (credentials waiting) → collected (credentials wiped). Expiry is a time, not a status. */
export type PairingStatus = "pending" | "paired" | "collected";

export function insertPairingRequest(db: Kysely<Database>, request: Insertable<Database["pairing_requests"]>) {
  return db.insertInto("pairing_requests").values(request).execute();
}

export function findPairingRequest(db: Kysely<Database>, id: string) {
  return db.selectFrom("pairing_requests").selectAll().where("id", "=", id).executeTakeFirst();
}

export function findPendingByCodeHash(db: Kysely<Database>, codeHash: string, now: number) {
  return db
    .selectFrom("pairing_requests")
    .selectAll()
    .where("code_hash", "=", codeHash)
    .where("status", "=", "pending" satisfies PairingStatus)
    .where("expires_at", ">", now)
    .executeTakeFirst();
}

/** Pending → paired, for exactly one claimer: a second, concurrent claim updates nothing. */
export async function markPaired(
  db: Kysely<Database>,
  id: string,
  deviceId: string,
  credentials: string,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable("pairing_requests")
    .set({ status: "paired" satisfies PairingStatus, device_id: deviceId, credentials })
    .where("id", "=", id)
    .where("status", "=", "pending" satisfies PairingStatus)
    .where("expires_at", ">", now)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Paired → collected, wiping the credentials; true for exactly one of any number of concurrent polls. */
export async function markCollected(db: Kysely<Database>, id: string): Promise<boolean> {
  const result = await db
    .updateTable("pairing_requests")
    .set({ status: "collected" satisfies PairingStatus, credentials: null })
    .where("id", "=", id)
    .where("status", "=", "paired" satisfies PairingStatus)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Forgets requests that expired before `before`, with any credentials nobody collected. */
export function deleteExpiredPairingRequests(db: Kysely<Database>, before: number) {
  return db.deleteFrom("pairing_requests").where("expires_at", "<", before).execute();
}

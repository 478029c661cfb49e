import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.js";

// Every query is scoped by carrier: another carrier's key is simply not found.
const PUBLIC_COLUMNS = [
  "id",
  "carrier_id",
  "name",
  "scopes",
  "created_by",
  "created_at",
  "last_used_at",
  "revoked_at",
] as const;

export async function insertApiKey(db: Kysely<Database>, row: Database["api_keys"]): Promise<void> {
  await db.insertInto("api_keys").values(row).execute();
}

export function findCarrierApiKey(db: Kysely<Database>, carrierId: string, id: string) {
  return db
    .selectFrom("api_keys")
    .select(PUBLIC_COLUMNS)
    .where("carrier_id", "=", carrierId)
    .where("id", "=", id)
    .executeTakeFirst();
}

export function listCarrierApiKeys(db: Kysely<Database>, carrierId: string) {
  return db
    .selectFrom("api_keys")
    .select(PUBLIC_COLUMNS)
    .where("carrier_id", "=", carrierId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .execute();
}

/** Sets revoked_at once; revoking again keeps the first time. True when this call revoked it. */
export async function revokeCarrierApiKey(
  db: Kysely<Database>,
  carrierId: string,
  id: string,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable("api_keys")
    .set({ revoked_at: now })
    .where("carrier_id", "=", carrierId)
    .where("id", "=", id)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

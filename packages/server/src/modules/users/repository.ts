import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.js";

const USER_COLUMNS = ["id", "email", "name", "role", "carrier_id", "created_at", "disabled_at"] as const;

export function findUserById(db: Kysely<Database>, id: string) {
  return db.selectFrom("users").select(USER_COLUMNS).where("id", "=", id).executeTakeFirst();
}

export function listCouriersOf(db: Kysely<Database>, carrierId: string) {
  return db
    .selectFrom("users")
    .select(USER_COLUMNS)
    .where("carrier_id", "=", carrierId)
    .where("role", "=", "courier")
    .orderBy("created_at")
    .orderBy("id")
    .execute();
}

/** Accounts by name (then id, so the order is total), at most `limit`, of one role if given. */
export function listUsers(db: Kysely<Database>, filter: { role?: string | undefined; limit: number }) {
  let query = db.selectFrom("users").select(USER_COLUMNS).orderBy("name").orderBy("id").limit(filter.limit);
  if (filter.role) query = query.where("role", "=", filter.role);
  return query.execute();
}

export function findCarrierById(db: Kysely<Database>, id: string) {
  return db.selectFrom("carriers").selectAll().where("id", "=", id).executeTakeFirst();
}

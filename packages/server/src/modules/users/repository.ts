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

export function findCarrierById(db: Kysely<Database>, id: string) {
  return db.selectFrom("carriers").selectAll().where("id", "=", id).executeTakeFirst();
}

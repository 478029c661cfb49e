import type { Insertable, Kysely } from "kysely";
import type { Database } from "../../db/schema.js";

export function insertSite(db: Kysely<Database>, site: Insertable<Database["sites"]>) {
  return db.insertInto("sites").values(site).execute();
}

export function findSiteById(db: Kysely<Database>, id: string) {
  return db.selectFrom("sites").selectAll().where("id", "=", id).executeTakeFirst();
}

/** Sites of one owner, or every site when `ownerId` is null (operators). */
export function listSites(db: Kysely<Database>, ownerId: string | null) {
  let query = db.selectFrom("sites").selectAll();
  if (ownerId !== null) query = query.where("owner_id", "=", ownerId);
  return query.orderBy("created_at").orderBy("id").execute();
}

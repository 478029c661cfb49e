import type { Kysely } from "kysely";

// An incident's relock makes the door safe without delivering the parcel, and the relock owed
// after an aborted visit ends once the lock proved locked or someone took the door over (issue 15
// findings 3 and 5). Never edit after it lands; add a migration instead.
export async function up(db: Kysely<unknown>): Promise<void> {
  // When the door of a visit in incident was proven locked by a relock; the visit stays an incident.
  await db.schema.alterTable("visits").addColumn("door_secured_at", "bigint").execute();
  // When the relock owed after the visit's abort ended: the lock reported locked, or a later command took over.
  await db.schema.alterTable("visits").addColumn("relock_settled_at", "bigint").execute();
  // What the person who resolved an incident said of the parcel: `delivered` or `not_delivered`.
  await db.schema.alterTable("incidents").addColumn("outcome", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("incidents").dropColumn("outcome").execute();
  await db.schema.alterTable("visits").dropColumn("relock_settled_at").execute();
  await db.schema.alterTable("visits").dropColumn("door_secured_at").execute();
}

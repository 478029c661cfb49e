import type { Kysely } from "kysely";

// Garages and fridges (issue 6, docs/garage-and-fridge.md). An access point may sit behind another
// (a fridge behind the front door): a visit to it opens the outer one first, then the inner one,
// and secures them in the opposite order. The visit keeps the inner one's actuator and times.
// Never edit after it lands; add a migration instead.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("access_points").addColumn("via_access_point_id", "text").execute();
  await db.schema.alterTable("visits").addColumn("inner_access_point_id", "text").execute();
  await db.schema.alterTable("visits").addColumn("inner_device_id", "text").execute();
  await db.schema.alterTable("visits").addColumn("inner_opened_at", "bigint").execute();
  await db.schema.alterTable("visits").addColumn("inner_secured_at", "bigint").execute();
  // The fridge watch asks for each fridge's latest visit.
  await db.schema
    .createIndex("visits_access_point_requested")
    .on("visits")
    .columns(["access_point_id", "requested_at"])
    .execute();
  await db.schema
    .createIndex("visits_inner_access_point_requested")
    .on("visits")
    .columns(["inner_access_point_id", "requested_at"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("visits_inner_access_point_requested").execute();
  await db.schema.dropIndex("visits_access_point_requested").execute();
  for (const column of ["inner_secured_at", "inner_opened_at", "inner_device_id", "inner_access_point_id"]) {
    await db.schema.alterTable("visits").dropColumn(column).execute();
  }
  await db.schema.alterTable("access_points").dropColumn("via_access_point_id").execute();
}

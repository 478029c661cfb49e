import type { Kysely } from "kysely";

// Access points are removed softly: visits, proofs and audit events will keep naming them, so the
// row stays and only `removed_at` is set. The indexes serve the checks made when a device is removed
// (is it an actuator? a camera?) and the sweep of expired pairing requests.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("access_points").addColumn("removed_at", "bigint").execute();
  await db.schema.createIndex("access_points_actuator").on("access_points").column("actuator_device_id").execute();
  await db.schema.createIndex("access_point_cameras_device").on("access_point_cameras").column("device_id").execute();
  await db.schema.createIndex("pairing_requests_expires").on("pairing_requests").column("expires_at").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("pairing_requests_expires").execute();
  await db.schema.dropIndex("access_point_cameras_device").execute();
  await db.schema.dropIndex("access_points_actuator").execute();
  await db.schema.alterTable("access_points").dropColumn("removed_at").execute();
}

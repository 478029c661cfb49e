import type { Kysely } from "kysely";

// Visit clips (issue 5): each visit that was authorized gets a window of its witness camera's
// video, from a pre-roll before the unlock to a post-roll after it ended; the segments in the
// window are linked to the visit as they arrive. Never edit after it lands; add a migration instead.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("visits").addColumn("clip_from", "bigint").execute();
  await db.schema.alterTable("visits").addColumn("clip_until", "bigint").execute();
  // An upload finds the clips it belongs to by camera.
  await db.schema.createIndex("visits_camera_clip").on("visits").columns(["camera_device_id", "clip_from"]).execute();
  await db.schema
    .createTable("visit_clip_segments")
    .addColumn("visit_id", "text", (c) => c.notNull().references("visits.id"))
    .addColumn("segment_id", "text", (c) => c.notNull().references("video_segments.id"))
    .addPrimaryKeyConstraint("visit_clip_segments_pk", ["visit_id", "segment_id"])
    .execute();
  // Retention asks of each segment whether a clip holds it.
  await db.schema.createIndex("visit_clip_segments_segment").on("visit_clip_segments").column("segment_id").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("visit_clip_segments").execute();
  await db.schema.dropIndex("visits_camera_clip").execute();
  await db.schema.alterTable("visits").dropColumn("clip_until").execute();
  await db.schema.alterTable("visits").dropColumn("clip_from").execute();
}

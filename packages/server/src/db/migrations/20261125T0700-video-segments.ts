import type { Kysely } from "kysely";

// Camera video segments (issue 5): one row per uploaded segment; the bytes live in the media store.
// Never edit after it lands; add a migration instead.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("video_segments")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("device_id", "text", (c) => c.notNull().references("devices.id"))
    .addColumn("position", "bigint", (c) => c.notNull())
    .addColumn("stream_number", "bigint", (c) => c.notNull())
    .addColumn("sequence", "bigint", (c) => c.notNull())
    .addColumn("started_at", "bigint", (c) => c.notNull())
    .addColumn("duration_ms", "integer", (c) => c.notNull())
    .addColumn("content_sha256", "text", (c) => c.notNull())
    .addColumn("prev_hash", "text", (c) => c.notNull())
    .addColumn("chain_hash", "text", (c) => c.notNull())
    .addColumn("visit_id", "text", (c) => c.references("visits.id"))
    .addColumn("media_key", "text", (c) => c.notNull())
    .addColumn("size_bytes", "integer", (c) => c.notNull())
    .addColumn("received_at", "bigint", (c) => c.notNull())
    .execute();
  // One segment per place in a camera's chain: of two uploads racing for the same link, one loses.
  // Also the index of "the camera's newest segments" (live playlist, freshness, next link).
  await db.schema
    .createIndex("video_segments_device_position")
    .on("video_segments")
    .columns(["device_id", "position"])
    .unique()
    .execute();
  // Retention finds expired segments by arrival time; a visit's clip by its visit.
  await db.schema.createIndex("video_segments_received").on("video_segments").column("received_at").execute();
  await db.schema.createIndex("video_segments_visit").on("video_segments").column("visit_id").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("video_segments").execute();
}

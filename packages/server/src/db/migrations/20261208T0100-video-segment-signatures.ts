import type { Kysely } from "kysely";

// Each video segment carries its camera's Ed25519 signature (docs/video.md, "Who vouches for the
// video"; issue 15). Rows stored before it have none: they never count as live video and a proof
// lists them as not signed by the camera. Never edit after it lands; add a migration instead.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("video_segments").addColumn("signature", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("video_segments").dropColumn("signature").execute();
}

import type { Insertable, Kysely, Selectable } from "kysely";
import type { Database } from "../../db/schema.js";

export type SegmentRow = Selectable<Database["video_segments"]>;

/** A device as an upload needs it: is it there, and is it a camera. */
/** The camera's newest segments, newest first (the unique (device_id, position) index serves it). */
export function newestSegments(db: Kysely<Database>, deviceId: string, limit: number): Promise<SegmentRow[]> {
  return db
    .selectFrom("video_segments")
    .selectAll()
    .where("device_id", "=", deviceId)
    .orderBy("position", "desc")
    .limit(limit)
    .execute();
}

export async function isStoredChainHash(db: Kysely<Database>, deviceId: string, chainHash: string): Promise<boolean> {
  const row = await db
    .selectFrom("video_segments")
    .select("id")
    .where("device_id", "=", deviceId)
    .where("chain_hash", "=", chainHash)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export function insertSegment(db: Kysely<Database>, row: Insertable<Database["video_segments"]>) {
  return db.insertInto("video_segments").values(row).execute();
}

export function findSegment(db: Kysely<Database>, deviceId: string, segmentId: string) {
  return db
    .selectFrom("video_segments")
    .selectAll()
    .where("id", "=", segmentId)
    .where("device_id", "=", deviceId)
    .executeTakeFirst();
}

/** The camera a visit is witnessed by, when the visit exists. */
export function findVisitCamera(db: Kysely<Database>, visitId: string) {
  return db.selectFrom("visits").select(["id", "camera_device_id"]).where("id", "=", visitId).executeTakeFirst();
}

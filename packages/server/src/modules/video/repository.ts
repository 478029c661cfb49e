import { type Insertable, type Kysely, type Selectable, sql } from "kysely";
import { PreparedQuery } from "../../db/prepared.js";
import type { Database } from "../../db/schema.js";

export type SegmentRow = Selectable<Database["video_segments"]>;

/** The camera's newest segments, newest first (the unique (device_id, position) index serves it). */
export function newestSegments(db: Kysely<Database>, deviceId: string, limit: number): Promise<SegmentRow[]> {
  return newestSegmentsQuery(limit).execute(db, { deviceId });
}

// Every upload, freshness check and live-playlist poll asks: prepared once per limit. The limit is
// written into the SQL, not bound: this query takes 13 µs with `LIMIT ?` and 4–5 µs with `LIMIT 1`
// on SQLite here (measured with 40 and with 300 segments per camera).
const NEWEST_SEGMENTS = new Map<number, PreparedQuery<{ deviceId: string }, SegmentRow>>();

function newestSegmentsQuery(limit: number): PreparedQuery<{ deviceId: string }, SegmentRow> {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) throw new RangeError(`not a segment limit: ${limit}`);
  let query = NEWEST_SEGMENTS.get(limit);
  if (!query) {
    query = new PreparedQuery(["deviceId"], (db, p) =>
      db
        .selectFrom("video_segments")
        .selectAll()
        .where("device_id", "=", p.deviceId)
        .orderBy("position", "desc")
        .limit(sql.lit(limit)),
    );
    NEWEST_SEGMENTS.set(limit, query);
  }
  return query;
}

/** The camera's newest stored segment. */
export async function newestSegment(db: Kysely<Database>, deviceId: string): Promise<SegmentRow | undefined> {
  return (await newestSegments(db, deviceId, 1))[0];
}

type SegmentInsert = Insertable<Database["video_segments"]>;
const SEGMENT_COLUMNS = [
  "id",
  "device_id",
  "position",
  "stream_number",
  "sequence",
  "started_at",
  "duration_ms",
  "content_sha256",
  "prev_hash",
  "chain_hash",
  "visit_id",
  "media_key",
  "size_bytes",
  "received_at",
  "signature",
] as const satisfies readonly (keyof SegmentInsert)[];
export type SegmentValues = { [K in (typeof SEGMENT_COLUMNS)[number]]: SegmentInsert[K] };

// A place in the chain (device_id, position) taken by a racing upload inserts nothing.
const INSERT_SEGMENT_IF_FREE = new PreparedQuery<SegmentValues, { id: string }>(SEGMENT_COLUMNS, (db, p) =>
  db
    .insertInto("video_segments")
    .values(p)
    .onConflict((oc) => oc.doNothing())
    .returning("id"),
);

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

/** Inserts the segment's row; false when its place in the camera's chain is already taken. */
export async function insertSegmentIfFree(db: Kysely<Database>, row: SegmentValues): Promise<boolean> {
  return (await INSERT_SEGMENT_IF_FREE.execute(db, row)).length > 0;
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

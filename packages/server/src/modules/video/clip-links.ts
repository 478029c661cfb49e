import { type Kysely, sql, type Transaction } from "kysely";
import { PreparedQuery } from "../../db/prepared.js";
import type { Database } from "../../db/schema.js";

type Db = Kysely<Database> | Transaction<Database>;

/**
 * A visit's clip is a window of its witness camera's video: from `clip_from` (authorization minus
 * the pre-roll) to `clip_until` (the visit's end plus the post-roll; open while the visit goes on,
 * but never longer than `maxClipMs`). Segments are linked to it from two sides, so neither order
 * of "segment stored" and "window known" loses one: each upload links itself to every window it
 * overlaps, and opening or closing a window links what is already stored. Links are idempotent.
 */

// Every upload runs it: prepared once.
const LINK_SEGMENT = new PreparedQuery<
  { segmentId: string; deviceId: string; end: number; startedAt: number; openClipFrom: number },
  never
>(["segmentId", "deviceId", "end", "startedAt", "openClipFrom"], (db, p) =>
  db
    .insertInto("visit_clip_segments")
    .columns(["visit_id", "segment_id"])
    .expression((eb) =>
      eb
        .selectFrom("visits")
        .select(["id", sql<string>`cast(${p.segmentId} as text)`.as("segment_id")])
        .where("camera_device_id", "=", p.deviceId)
        .where("clip_from", "is not", null)
        .where("clip_from", "<", p.end)
        .where((w) =>
          w.or([
            w("clip_until", ">", p.startedAt),
            w.and([w("clip_until", "is", null), w("clip_from", ">", p.openClipFrom)]),
          ]),
        ),
    )
    .onConflict((oc) => oc.columns(["visit_id", "segment_id"]).doNothing()),
);

/** Links a just-stored segment to every clip window of its camera that it overlaps. */
export async function linkSegmentToClips(
  db: Db,
  segment: { id: string; deviceId: string; startedAt: number; durationMs: number },
  maxClipMs: number,
): Promise<void> {
  await LINK_SEGMENT.execute(db, {
    segmentId: segment.id,
    deviceId: segment.deviceId,
    end: segment.startedAt + segment.durationMs,
    startedAt: segment.startedAt,
    openClipFrom: segment.startedAt - maxClipMs,
  });
}

/** Links the camera's stored segments that overlap [from, until) to the visit's clip. */
export async function linkStoredSegments(
  db: Db,
  visitId: string,
  cameraId: string,
  from: number,
  until: number,
): Promise<void> {
  await db
    .insertInto("visit_clip_segments")
    .columns(["visit_id", "segment_id"])
    .expression((eb) =>
      eb
        .selectFrom("video_segments")
        .select([sql<string>`cast(${visitId} as text)`.as("visit_id"), "id"])
        .where("device_id", "=", cameraId)
        .where("started_at", "<", until)
        .where(sql<number>`started_at + duration_ms`, ">", from),
    )
    .onConflict((oc) => oc.columns(["visit_id", "segment_id"]).doNothing())
    .execute();
}

/** Opens the visit's clip window at authorization and links the pre-roll already stored. */
export async function openClip(
  trx: Db,
  visit: { id: string; camera_device_id: string | null },
  authorizedAt: number,
  media: { clipPrerollMs: number; clipMaxMs: number },
): Promise<void> {
  if (!visit.camera_device_id) return;
  const from = authorizedAt - media.clipPrerollMs;
  await trx.updateTable("visits").set({ clip_from: from }).where("id", "=", visit.id).execute();
  await linkStoredSegments(trx, visit.id, visit.camera_device_id, from, from + media.clipMaxMs);
}

/**
 * Closes the clip window once the visit ended (or its incident was resolved): the post-roll still
 * comes in through uploads. Links everything stored in the window again, which catches a segment
 * that raced the authorization. Does nothing to a clip already closed.
 */
export async function closeClip(
  db: Db,
  visitId: string,
  endedAt: number,
  media: { clipPostrollMs: number; clipMaxMs: number },
): Promise<void> {
  const visit = await db
    .selectFrom("visits")
    .select(["camera_device_id", "clip_from", "clip_until"])
    .where("id", "=", visitId)
    .executeTakeFirst();
  if (!visit?.camera_device_id || visit.clip_from === null || visit.clip_until !== null) return;
  const until = Math.min(endedAt + media.clipPostrollMs, visit.clip_from + media.clipMaxMs);
  await db
    .updateTable("visits")
    .set({ clip_until: until })
    .where("id", "=", visitId)
    .where("clip_until", "is", null)
    .execute();
  await linkStoredSegments(db, visitId, visit.camera_device_id, visit.clip_from, until);
}

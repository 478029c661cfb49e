import { notFound, ThresholdError } from "@threshold/core";
import type { AppContext } from "../../context.js";
import type { Actor } from "../../http/actor.js";
import { visibleOrNotFound } from "../../http/ownership.js";
import type { MediaObject, MediaStore } from "../../media/index.js";
import { canRead, requirePerson } from "../sites/site-access.js";
import { type ClipStatus, clipStatus } from "./clip-state.js";
import { clipMediaPlaylist } from "./playlist.js";
import type { SegmentRow } from "./repository.js";

type Ctx = Pick<AppContext, "db" | "clock" | "config">;

export interface Clip {
  visitId: string;
  cameraId: string;
  from: number;
  until: number | null;
  /** Oldest first. */
  segments: SegmentRow[];
  status: ClipStatus;
}

/**
 * A visit's clip, for the people who may watch it: the site's owner and operators. A clip is
 * someone's home on video, so the courier and the carrier get the same 404 as for a visit that does
 * not exist (the proof they can read carries the clip's hashes, not its pictures).
 */
export async function visitClip(ctx: Ctx, actor: Actor, visitId: string): Promise<Clip> {
  const user = requirePerson(actor, "watch visit clips");
  const visit = visibleOrNotFound(
    await ctx.db
      .selectFrom("visits")
      .innerJoin("sites", "sites.id", "visits.site_id")
      .select(["visits.id", "visits.camera_device_id", "visits.clip_from", "visits.clip_until", "sites.owner_id"])
      .where("visits.id", "=", visitId)
      .executeTakeFirst(),
    (row) => canRead(user, row.owner_id),
    "visit",
  );
  // A refused visit never opened anything, so it has no clip.
  if (visit.clip_from === null || visit.camera_device_id === null) throw notFound("clip");
  return loadClip(ctx, { ...visit, clip_from: visit.clip_from, camera_device_id: visit.camera_device_id });
}

/** The clip of a visit the caller was already allowed to see (the proof); null for a visit without one. */
export async function clipOfVisit(ctx: Ctx, visitId: string): Promise<Clip | null> {
  const visit = await ctx.db
    .selectFrom("visits")
    .select(["id", "camera_device_id", "clip_from", "clip_until"])
    .where("id", "=", visitId)
    .executeTakeFirst();
  if (!visit || visit.clip_from === null || visit.camera_device_id === null) return null;
  return loadClip(ctx, { ...visit, clip_from: visit.clip_from, camera_device_id: visit.camera_device_id });
}

async function loadClip(
  ctx: Ctx,
  visit: { id: string; camera_device_id: string; clip_from: number; clip_until: number | null },
): Promise<Clip> {
  const segments = await ctx.db
    .selectFrom("visit_clip_segments as c")
    .innerJoin("video_segments as s", "s.id", "c.segment_id")
    .selectAll("s")
    .where("c.visit_id", "=", visit.id)
    .orderBy("s.position")
    .execute();
  // Settled once a segment recorded at the window's end would have arrived: freshness's allowance.
  const settleMs = 2 * Math.max(2000, ...segments.map((s) => s.duration_ms)) + ctx.config.media.staleSlackMs;
  return {
    visitId: visit.id,
    cameraId: visit.camera_device_id,
    from: visit.clip_from,
    until: visit.clip_until,
    segments,
    status: clipStatus(
      { from: visit.clip_from, until: visit.clip_until },
      segments.map((s) => ({ startedAt: s.started_at, durationMs: s.duration_ms })),
      ctx.clock.now(),
      settleMs,
    ),
  };
}

/** The clip as HLS: EVENT while it records, VOD once finished; segments are fetched next to it. */
export function clipPlaylist(clip: Clip): string {
  return clipMediaPlaylist(
    clip.segments.map((s) => ({
      id: s.id,
      position: s.position,
      streamNumber: s.stream_number,
      startedAt: s.started_at,
      durationMs: s.duration_ms,
    })),
    (segment) => `clip/segments/${segment.id}.ts`,
    clip.status.state !== "recording",
  );
}

/** One segment of the clip; a segment that is not in it is not found, whoever's it is. */
export async function clipSegmentMedia(store: MediaStore, clip: Clip, segmentId: string): Promise<MediaObject> {
  const segment = clip.segments.find((s) => s.id === segmentId);
  const media = segment ? await store.open(segment.media_key) : null;
  if (!media) throw notFound("segment");
  return media;
}

/** The clip's segments' bytes in order, for the MP4 download. */
export async function* clipBytes(store: MediaStore, clip: Clip): AsyncGenerator<Buffer> {
  if (clip.segments.length === 0) {
    throw new ThresholdError("clip_empty", "This clip has no video yet; try again once the camera has uploaded some.");
  }
  for (const segment of clip.segments) {
    const bytes = await store.get(segment.media_key);
    if (bytes) yield bytes;
  }
}

import type { KeyObject } from "node:crypto";
import { newId, notFound, ThresholdError } from "@threshold/core";
import {
  GENESIS_SEGMENT_HASH,
  mpegTsProblem,
  segmentChainHash,
  verifySegmentSignatureAsync,
} from "@threshold/protocol";
import type { AppContext } from "../../context.js";
import type { Actor } from "../../http/actor.js";
import { visibleOrNotFound } from "../../http/ownership.js";
import { MediaDigestMismatch, type MediaObject, type MediaStore } from "../../media/index.js";
import { findActiveDevice } from "../devices/repository.js";
import { canRead, requirePerson } from "../sites/site-access.js";
import { placeInChain } from "./chain-position.js";
import { type CameraFreshness, cameraFreshness } from "./freshness.js";
import { liveMediaPlaylist } from "./playlist.js";
import {
  findSegment,
  findVisitCamera,
  isStoredChainHash,
  newestSegment,
  newestSegments,
  type SegmentRow,
} from "./repository.js";
import { MAX_SEGMENT_DURATION_MS, type UploadedSegment } from "./schemas.js";
import { segmentRowsOf } from "./segment-rows.js";

type Ctx = Pick<AppContext, "db" | "clock" | "config">;

/** How many of the newest segments the live playlist lists: ~10 s of 2 s segments. */
export const LIVE_WINDOW_SEGMENTS = 5;

export interface SegmentUpload {
  /** The authenticated camera (authenticateCamera). */
  deviceId: string;
  /** Its public key: `signature` must verify with it. */
  publicKey: KeyObject;
  /** The camera's signature over the segment (x-threshold-segment-signature), or null when none was sent. */
  signature: string | null;
  sequence: number;
  startedAt: number;
  durationMs: number;
  contentSha256: string;
  prevHash: string;
  chainHash: string;
  visitId: string | null;
  bytes: Buffer;
}

/**
 * Stores one uploaded segment, or refuses it with a stable code and stores nothing. Everything is
 * checked before a byte is stored (the body's hash by the store, before it writes); the bytes go
 * to the media store (all or nothing) before the row, and a row that loses a race for its place
 * in the chain takes its file with it. `upload.bytes` are the store's afterwards.
 *
 * The camera's password only authenticated the request: whoever saw it on the wire can replay it.
 * What makes the video the camera's is its Ed25519 signature over the chain hash, which commits to
 * the bytes' SHA-256 (checked by the store as it writes), the times and the previous link.
 */
export async function uploadSegment(
  ctx: Ctx & Pick<AppContext, "storage">,
  store: MediaStore,
  upload: SegmentUpload,
): Promise<UploadedSegment> {
  if (upload.bytes.length === 0) throw new ThresholdError("invalid_request", "The segment is empty.");
  if (upload.durationMs > MAX_SEGMENT_DURATION_MS) {
    throw new ThresholdError("invalid_request", `A segment lasts at most ${MAX_SEGMENT_DURATION_MS} ms.`);
  }
  const notMedia = mpegTsProblem(upload.bytes);
  if (notMedia !== null) {
    throw new ThresholdError("segment_not_media", `The body is not an MPEG-TS segment: ${notMedia}.`);
  }
  const expectedChainHash = segmentChainHash(upload);
  if (expectedChainHash !== upload.chainHash) {
    throw new ThresholdError(
      "segment_chain_invalid",
      "x-threshold-chain-hash is not the segment's chain hash (docs/video.md: prevHash, deviceId, sequence, startedAt, durationMs, contentSha256).",
    );
  }
  const signed =
    upload.signature !== null &&
    (await verifySegmentSignatureAsync(
      { deviceId: upload.deviceId, chainHash: upload.chainHash },
      upload.signature,
      upload.publicKey,
    ));
  if (!signed) {
    throw new ThresholdError(
      "segment_signature_invalid",
      upload.signature === null
        ? "Sign the segment with the camera's device key and send it as x-threshold-segment-signature (docs/video.md)."
        : "x-threshold-segment-signature is not the camera's signature over this segment (docs/video.md).",
    );
  }
  const now = ctx.clock.now();
  if (upload.startedAt > now + ctx.config.media.maxClockSkewMs) {
    throw new ThresholdError(
      "segment_clock_skew",
      "The segment starts in the future by the server's clock; check the camera's clock.",
      {
        serverTime: new Date(now).toISOString(),
      },
    );
  }
  if (upload.visitId !== null) {
    const visit = await findVisitCamera(ctx.db, upload.visitId);
    if (!visit || visit.camera_device_id !== upload.deviceId) {
      throw new ThresholdError("segment_visit_invalid", "This camera does not witness that visit.");
    }
  }

  const head = await newestSegment(ctx.db, upload.deviceId);
  const prevHashStored =
    head !== undefined &&
    upload.prevHash !== GENESIS_SEGMENT_HASH &&
    upload.prevHash !== head.chain_hash &&
    (await isStoredChainHash(ctx.db, upload.deviceId, upload.prevHash));
  const placement = placeInChain(head ? chainHead(head) : null, upload, prevHashStored);
  if (!placement.ok) {
    throw new ThresholdError(
      placement.code,
      placement.message,
      head ? { lastSequence: head.sequence, lastChainHash: head.chain_hash } : undefined,
    );
  }

  const id = newId("videoSegment", now);
  const mediaKey = `${upload.deviceId}/${id}.ts`;
  const sizeBytes = upload.bytes.length;
  try {
    // The store checks the body against its claimed SHA-256 as it writes (off the event loop).
    await store.put(mediaKey, upload.bytes, { sha256: upload.contentSha256 });
  } catch (error) {
    if (!(error instanceof MediaDigestMismatch)) throw error;
    throw new ThresholdError(
      "segment_hash_mismatch",
      "The body's SHA-256 differs from x-threshold-content-sha256: the segment was damaged or changed on the way.",
    );
  }
  const stored = await segmentRowsOf(ctx.db, ctx.storage.dialect, ctx.config.media.clipMaxMs)
    .store({
      id,
      device_id: upload.deviceId,
      position: placement.position,
      stream_number: placement.streamNumber,
      sequence: upload.sequence,
      started_at: upload.startedAt,
      duration_ms: upload.durationMs,
      content_sha256: upload.contentSha256,
      prev_hash: upload.prevHash,
      chain_hash: upload.chainHash,
      visit_id: upload.visitId,
      media_key: mediaKey,
      size_bytes: sizeBytes,
      received_at: now,
      signature: upload.signature,
    })
    .catch(async (error: unknown) => {
      await store.delete(mediaKey);
      throw error;
    });
  if (!stored) {
    await store.delete(mediaKey);
    throw new ThresholdError("segment_replayed", "Another upload took this place in the chain first.");
  }
  return {
    id,
    deviceId: upload.deviceId,
    sequence: upload.sequence,
    chainHash: upload.chainHash,
    receivedAt: new Date(now).toISOString(),
  };
}

function chainHead(row: SegmentRow) {
  return {
    position: row.position,
    streamNumber: row.stream_number,
    sequence: row.sequence,
    startedAt: row.started_at,
    chainHash: row.chain_hash,
  };
}

/** A camera the caller may watch: the site's owner and operators; to anyone else it does not exist. */
async function watchableCamera(ctx: Ctx, actor: Actor, deviceId: string) {
  const user = requirePerson(actor, "watch cameras");
  return visibleOrNotFound(
    await findActiveDevice(ctx.db, deviceId),
    (device) => device.kind === "camera" && canRead(user, device.owner_id),
    "camera",
  );
}

/** The camera's live HLS playlist: its newest segments, each fetched from `segments/{id}.ts` next to it. */
export async function livePlaylist(ctx: Ctx, actor: Actor, deviceId: string): Promise<string> {
  const camera = await watchableCamera(ctx, actor, deviceId);
  // Rows from before cameras signed their video are nobody's word for what the door looks like now.
  const rows = (await newestSegments(ctx.db, camera.id, LIVE_WINDOW_SEGMENTS))
    .filter((row) => row.signature !== null)
    .reverse();
  return liveMediaPlaylist(
    rows.map((row) => ({
      id: row.id,
      position: row.position,
      streamNumber: row.stream_number,
      startedAt: row.started_at,
      durationMs: row.duration_ms,
    })),
    (segment) => `segments/${segment.id}.ts`,
  );
}

/** One stored segment's bytes, for the camera's owner and operators. */
export async function segmentMedia(
  ctx: Ctx,
  store: MediaStore,
  actor: Actor,
  deviceId: string,
  segmentId: string,
): Promise<MediaObject> {
  const camera = await watchableCamera(ctx, actor, deviceId);
  const row = await findSegment(ctx.db, camera.id, segmentId);
  // Retention may have deleted the file a moment ago: then the segment is gone, not an error.
  const media = row ? await store.open(row.media_key) : null;
  if (!media) throw notFound("segment");
  return media;
}

/** Whether the camera's video is current (the rule is `cameraFreshness`). */
export async function freshnessOf(ctx: Ctx, actor: Actor, deviceId: string): Promise<CameraFreshness> {
  const camera = await watchableCamera(ctx, actor, deviceId);
  return newestFreshness(ctx, camera.id);
}

/** The cameras among `deviceIds` whose video is live now: what readiness and opening rely on. */
export async function liveCameras(ctx: Ctx, deviceIds: readonly string[]): Promise<Set<string>> {
  const freshness = await freshnessOfCameras(ctx, deviceIds);
  return new Set([...freshness].filter(([, f]) => f.freshness === "live").map(([id]) => id));
}

/** Freshness of each of `deviceIds` (cameras the caller was already allowed to see). */
export async function freshnessOfCameras(
  ctx: Ctx,
  deviceIds: readonly string[],
): Promise<Map<string, CameraFreshness>> {
  const unique = [...new Set(deviceIds)];
  const freshness = await Promise.all(unique.map((id) => newestFreshness(ctx, id)));
  return new Map(unique.map((id, i) => [id, freshness[i] as CameraFreshness]));
}

/** Freshness of a camera the caller was already allowed to use; for the visit flow too. */
export async function newestFreshness(ctx: Ctx, deviceId: string): Promise<CameraFreshness> {
  const newest = await newestSegment(ctx.db, deviceId);
  return cameraFreshness(
    newest
      ? {
          receivedAt: newest.received_at,
          startedAt: newest.started_at,
          durationMs: newest.duration_ms,
          signed: newest.signature !== null,
        }
      : null,
    ctx.clock.now(),
    ctx.config.media.staleSlackMs,
  );
}

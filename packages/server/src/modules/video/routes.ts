import type { Readable } from "node:stream";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { ThresholdError } from "@threshold/core";
import type { FastifyError, FastifyInstance, FastifyRequest } from "fastify";
import type { AppContext } from "../../context.js";
import { requireActor } from "../../http/actor.js";
import { errorResponses } from "../../http/error-schema.js";
import { type MediaStore, openMediaStore } from "../../media/index.js";
import { UploadBodies, type UploadBody, UploadIncomplete, UploadTooLarge } from "../../media/upload-bodies.js";
import { SESSION_ONLY } from "../auth/security.js";
import { authenticateCamera, type UploadingCamera } from "./camera-credentials.js";
import { remuxToMp4 } from "./clip-mp4.js";
import { type Clip, clipBytes, clipPlaylist, clipSegmentMedia, visitClip } from "./clip-service.js";
import {
  CameraFreshnessResponse,
  CameraParams,
  ClipResponse,
  ClipSegmentParams,
  SegmentFileParams,
  UploadedSegment,
  UploadHeaders,
  UploadParams,
  VisitParams,
} from "./schemas.js";
import { freshnessOf, livePlaylist, segmentMedia, uploadSegment } from "./service.js";

const MPEG_TS = "video/mp2t";
const HLS_PLAYLIST = "application/vnd.apple.mpegurl";
const Text = (description: string) => ({ schema: { type: "string", description } });
const Binary = (description: string) => ({ schema: { type: "string", format: "binary", description } });

/** Upload bodies' reused memory, for every server in the process: at most 64 MiB kept for reuse. */
const uploadBodies = new UploadBodies(64 * 1024 * 1024);

/** Camera video: segment upload by the camera, and the live playlist, segments and freshness for people. */
export async function videoRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const store = openMediaStore(ctx.config);
  await app.register(async (scope) => uploadRoute(scope, ctx, store));
  clipRoutes(app, ctx, store);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    "/cameras/:deviceId/live.m3u8",
    {
      schema: {
        tags: ["video"],
        summary: "A camera's live HLS playlist: its newest segments (the site's owner and operators)",
        description:
          "An HLS media playlist (version 3) of the camera's last 5 segments with their capture times (PROGRAM-DATE-TIME); reload it for new ones. It says nothing about freshness: a frozen camera keeps its last segments listed, so show GET /v1/cameras/{deviceId}/freshness beside the video. 404 for cameras that are not yours.",
        security: SESSION_ONLY,
        params: CameraParams,
        response: {
          200: { description: "The playlist.", content: { [HLS_PLAYLIST]: Text("M3U8 text.") } },
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const playlist = await livePlaylist(ctx, requireActor(request), request.params.deviceId);
      return reply.header("content-type", HLS_PLAYLIST).header("cache-control", "private, no-store").send(playlist);
    },
  );

  api.get(
    "/cameras/:deviceId/segments/:segmentId.ts",
    {
      schema: {
        tags: ["video"],
        summary: "One video segment of a camera, as MPEG-TS (the site's owner and operators)",
        description:
          "Listed by the camera's playlists. 404 for cameras that are not yours and for segments retention deleted.",
        security: SESSION_ONLY,
        params: SegmentFileParams,
        response: {
          200: { description: "The segment.", content: { [MPEG_TS]: Binary("MPEG-TS bytes.") } },
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const { deviceId, segmentId } = request.params;
      const media = await segmentMedia(ctx, store, requireActor(request), deviceId, segmentId);
      // A segment never changes once stored, but it is someone's home on video: private caches only.
      return reply
        .header("content-type", MPEG_TS)
        .header("content-length", String(media.size))
        .header("cache-control", "private, max-age=3600, immutable")
        .send(media.stream);
    },
  );

  api.get(
    "/cameras/:deviceId/freshness",
    {
      schema: {
        tags: ["video"],
        summary: "Whether a camera's video is live, and when its last frame was (the site's owner and operators)",
        description:
          "live only while the newest segment arrived no longer ago than 2 segment durations plus VIDEO_STALE_SLACK_MS, by the server's clock; otherwise stale, with the time of the last frame. A frozen camera never looks live.",
        security: SESSION_ONLY,
        params: CameraParams,
        response: { 200: CameraFreshnessResponse, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const fresh = await freshnessOf(ctx, requireActor(request), request.params.deviceId);
      reply.header("cache-control", "no-store");
      return {
        freshness: fresh.freshness,
        lastSegmentAt: isoOrNull(fresh.lastSegmentAt),
        lastFrameAt: isoOrNull(fresh.lastFrameAt),
      };
    },
  );
}

/** A visit's clip: its segments and hashes, as HLS, segment by segment and as one MP4. */
function clipRoutes(app: FastifyInstance, ctx: AppContext, store: MediaStore): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const visibility =
    "For the site's owner and operators; 404 for everyone else, and for a refused visit (it has no clip).";

  api.get(
    "/visits/:visitId/clip",
    {
      schema: {
        tags: ["video"],
        summary: "A visit's clip: from the pre-roll before the unlock to the post-roll after securing",
        description: `The witness camera's segments in the clip's window with their chain hashes (the visit's proof carries the same hashes), whether video covers the whole window, and where to play or download it. ${visibility}`,
        security: SESSION_ONLY,
        params: VisitParams,
        response: { 200: ClipResponse, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const clip = await visitClip(ctx, requireActor(request), request.params.visitId);
      reply.header("cache-control", "private, no-store");
      return toClipResponse(clip);
    },
  );

  api.get(
    "/visits/:visitId/clip.m3u8",
    {
      schema: {
        tags: ["video"],
        summary: "A visit's clip as an HLS playlist",
        description: `EVENT while the clip records, VOD with ENDLIST once finished. ${visibility}`,
        security: SESSION_ONLY,
        params: VisitParams,
        response: {
          200: { description: "The playlist.", content: { [HLS_PLAYLIST]: Text("M3U8 text.") } },
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const clip = await visitClip(ctx, requireActor(request), request.params.visitId);
      return reply
        .header("content-type", HLS_PLAYLIST)
        .header("cache-control", "private, no-store")
        .send(clipPlaylist(clip));
    },
  );

  api.get(
    "/visits/:visitId/clip/segments/:segmentId.ts",
    {
      schema: {
        tags: ["video"],
        summary: "One segment of a visit's clip, as MPEG-TS",
        description: `Its SHA-256 is the segment's contentSha256 in the clip and the proof. ${visibility}`,
        security: SESSION_ONLY,
        params: ClipSegmentParams,
        response: {
          200: { description: "The segment.", content: { [MPEG_TS]: Binary("MPEG-TS bytes.") } },
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const clip = await visitClip(ctx, requireActor(request), request.params.visitId);
      const media = await clipSegmentMedia(store, clip, request.params.segmentId);
      return reply
        .header("content-type", MPEG_TS)
        .header("content-length", String(media.size))
        .header("cache-control", "private, max-age=3600, immutable")
        .send(media.stream);
    },
  );

  api.get(
    "/visits/:visitId/clip.mp4",
    {
      schema: {
        tags: ["video"],
        summary: "A visit's clip as one MP4 file (remuxed, not re-encoded)",
        description: `Fragmented MP4 of the clip's segments so far, as a download. 409 clip_empty before any video arrived; 422 clip_unplayable when the stored video cannot be remuxed. ${visibility} 503 unavailable when the server has no ffmpeg.`,
        security: SESSION_ONLY,
        params: VisitParams,
        response: {
          200: { description: "The clip.", content: { "video/mp4": Binary("MP4 bytes.") } },
          ...errorResponses(400, 401, 403, 404, 409, 422, 503),
        },
      },
    },
    async (request, reply) => {
      const clip = await visitClip(ctx, requireActor(request), request.params.visitId);
      if (clip.segments.length === 0) {
        throw new ThresholdError("clip_empty", "This clip has no video yet; try again once the camera has sent some.");
      }
      const ffmpeg = ctx.config.media.ffmpegPath;
      if (!ffmpeg) {
        throw new ThresholdError(
          "unavailable",
          "This server has no ffmpeg to make an MP4: install ffmpeg or set FFMPEG_PATH, and restart it. The clip still plays in the app.",
        );
      }
      const mp4 = await remuxToMp4(ffmpeg, clipBytes(store, clip));
      return reply
        .header("content-type", "video/mp4")
        .header("content-disposition", `attachment; filename="threshold-${clip.visitId}.mp4"`)
        .header("cache-control", "private, no-store")
        .send(mp4);
    },
  );
}

function toClipResponse(clip: Clip): ClipResponse {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    visitId: clip.visitId,
    cameraId: clip.cameraId,
    state: clip.status.state,
    from: iso(clip.from),
    until: clip.until === null ? null : iso(clip.until),
    gaps: clip.status.gaps.map((gap) => ({ from: iso(gap.from), until: iso(gap.until) })),
    segments: clip.segments.map((s) => ({
      id: s.id,
      sequence: s.sequence,
      startedAt: iso(s.started_at),
      durationMs: s.duration_ms,
      sizeBytes: s.size_bytes,
      contentSha256: s.content_sha256,
      prevHash: s.prev_hash,
      chainHash: s.chain_hash,
    })),
    playlistUrl: `/v1/visits/${clip.visitId}/clip.m3u8`,
    downloadUrl: `/v1/visits/${clip.visitId}/clip.mp4`,
  };
}

/**
 * The camera's upload, in a scope of its own: it alone takes raw MPEG-TS bodies (up to
 * MEDIA_MAX_SEGMENT_BYTES instead of the app's 64 KiB JSON limit), and its credentials are
 * checked before the body is read, so nobody without them can make the server buffer megabytes.
 */
async function uploadRoute(scope: FastifyInstance, ctx: AppContext, store: MediaStore): Promise<void> {
  const limit = ctx.config.media.maxSegmentBytes;
  const bodyOf = new WeakMap<FastifyRequest, UploadBody>();
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser(MPEG_TS, async (request: FastifyRequest, payload: Readable) => {
    const declared = Number(request.headers["content-length"]);
    try {
      const body = await uploadBodies.read(payload, Number.isSafeInteger(declared) ? declared : null, limit);
      bodyOf.set(request, body);
      return body.bytes;
    } catch (error) {
      if (error instanceof UploadTooLarge) {
        throw new ThresholdError(
          "segment_too_large",
          `A segment may be at most ${limit} bytes (MEDIA_MAX_SEGMENT_BYTES).`,
        );
      }
      if (error instanceof UploadIncomplete) {
        throw new ThresholdError("invalid_request", `The upload was cut short: ${error.message}.`);
      }
      throw error;
    }
  });
  scope.setErrorHandler((error: FastifyError) => {
    // Say what is wrong in this route's terms; everything else goes to the app's error handler.
    if (error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
      throw new ThresholdError("unsupported_media_type", `Send the segment's bytes as ${MPEG_TS}.`);
    }
    throw error;
  });
  const cameraOf = new WeakMap<FastifyRequest, UploadingCamera>();

  scope.withTypeProvider<TypeBoxTypeProvider>().put(
    "/cameras/:deviceId/segments/:sequence",
    {
      // The app's authenticator must not take the Basic credentials for an API key.
      config: { pollTokenAuth: true },
      onRequest: async (request, reply) => {
        const { deviceId } = request.params as { deviceId: string };
        try {
          cameraOf.set(request, await authenticateCamera(ctx.db, request.headers.authorization, deviceId));
        } catch (error) {
          if (error instanceof ThresholdError && error.code === "unauthenticated") {
            reply.header("www-authenticate", 'Basic realm="threshold cameras"');
          }
          throw error;
        }
      },
      schema: {
        tags: ["video"],
        summary: "Upload a video segment (cameras, with their device credentials)",
        description: [
          "The body is the segment's MPEG-TS bytes (content-type video/mp2t, at most MEDIA_MAX_SEGMENT_BYTES); its place in the camera's hash chain travels in the x-threshold-* headers (docs/video.md).",
          "Authenticate with HTTP Basic: the camera's device id and the secret it got at pairing (its MQTT password). The secret alone is not enough: x-threshold-segment-signature must be the camera's Ed25519 signature over the segment (its device key from pairing, over the canonical JSON {type: video.segment, deviceId, chainHash}).",
          "Refusals store nothing: 401 unauthenticated (missing or wrong credentials, removed device); 403 device_mismatch (credentials of another device than the path's, decided before the path's device is looked up); 422 device_kind_mismatch (not a camera); 413 segment_too_large; 415 unsupported_media_type; 422 segment_not_media (the body is not MPEG-TS: whole 188-byte packets, each starting with 0x47, a PAT among them); 422 segment_hash_mismatch (body ≠ x-threshold-content-sha256); 422 segment_chain_invalid (x-threshold-chain-hash does not recompute, or a genesis link anywhere but sequence 0); 422 segment_signature_invalid (x-threshold-segment-signature missing, or not the camera's signature over the segment); 422 segment_clock_skew (starts more than VIDEO_MAX_CLOCK_SKEW_MS in the future); 422 segment_visit_invalid (the camera does not witness that visit); 409 segment_gap (does not link to the camera's newest stored segment: segments are missing); 409 segment_replayed (already stored, links to an older segment, lost a race for the same link, or a new stream that does not start after the newest stored segment).",
        ].join(" "),
        security: [],
        params: UploadParams,
        headers: UploadHeaders,
        // No `type`: the body arrives as a Buffer, which a `format` alone lets through validation.
        body: {
          content: {
            [MPEG_TS]: { schema: { format: "binary", description: "The segment's MPEG-TS bytes." } },
          },
        },
        response: {
          201: UploadedSegment,
          ...errorResponses(400, 401, 403, 409, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const camera = cameraOf.get(request);
      if (!camera || !Buffer.isBuffer(request.body)) {
        throw new ThresholdError("invalid_request", `Send the segment's bytes as ${MPEG_TS}.`);
      }
      const headers = request.headers;
      try {
        const segment = await uploadSegment(ctx, store, {
          deviceId: camera.id,
          publicKey: camera.publicKey,
          signature: headers["x-threshold-segment-signature"] ?? null,
          sequence: request.params.sequence,
          startedAt: safeInteger(headers["x-threshold-started-at"], "x-threshold-started-at"),
          durationMs: safeInteger(headers["x-threshold-duration-ms"], "x-threshold-duration-ms"),
          contentSha256: headers["x-threshold-content-sha256"],
          prevHash: headers["x-threshold-prev-hash"],
          chainHash: headers["x-threshold-chain-hash"],
          visitId: headers["x-threshold-visit-id"] ?? null,
          bytes: request.body,
        });
        return reply.status(201).send(segment);
      } finally {
        // Stored or refused, the media writer is done with the bytes: their memory serves the next upload.
        bodyOf.get(request)?.release();
      }
    },
  );
}

function safeInteger(value: string, header: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw new ThresholdError("invalid_request", `${header} is too large.`);
  return number;
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

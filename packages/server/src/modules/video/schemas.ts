import Type, { type Static } from "typebox";
import { idParam } from "../../http/ownership.js";

const SHA256_HEX = "^[0-9a-f]{64}$";
// Decimal digits without a sign, fraction, exponent or leading zero: the exact integer the camera hashed.
const WHOLE_NUMBER = "^(0|[1-9][0-9]{0,15})$";

export const CameraParams = Type.Object({ deviceId: idParam("device", "The camera's device id (dev_…).") });

export const UploadParams = Type.Object({
  deviceId: idParam("device", "The uploading camera's own device id (dev_…)."),
  sequence: Type.Integer({
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    description: "The segment's place in its stream: 0 for a stream's first segment, then one more each time.",
  }),
});

export const SegmentFileParams = Type.Object({
  deviceId: idParam("device", "The camera's device id (dev_…)."),
  segmentId: idParam("videoSegment", "The segment's id (seg_…), as the live playlist lists it."),
});

/** Header names are lower case: that is how Node hands them over. */
export const UploadHeaders = Type.Object({
  authorization: Type.String({ description: "HTTP Basic: the camera's device id and its secret from pairing." }),
  "x-threshold-started-at": Type.String({
    pattern: WHOLE_NUMBER,
    description: "Capture time of the segment's first frame, integer milliseconds since the Unix epoch.",
  }),
  "x-threshold-duration-ms": Type.String({
    pattern: "^[1-9][0-9]{0,4}$",
    description: "Integer milliseconds of video in the segment, at most 10000 (segments are about 2 s).",
  }),
  "x-threshold-content-sha256": Type.String({
    pattern: SHA256_HEX,
    description: "SHA-256 of the body, lowercase hex.",
  }),
  "x-threshold-prev-hash": Type.String({
    pattern: SHA256_HEX,
    description: "chainHash of the stream's previous segment, or 64 zeros for sequence 0.",
  }),
  "x-threshold-chain-hash": Type.String({
    pattern: SHA256_HEX,
    description: "The segment's segmentChainHash (docs/video.md); the server recomputes it.",
  }),
  // Optional in the schema so that a missing signature gets its own code, segment_signature_invalid.
  "x-threshold-segment-signature": Type.Optional(
    Type.String({
      maxLength: 128,
      description:
        'The camera\'s Ed25519 signature (base64url, 86 characters) over the canonical JSON {"chainHash":…,"deviceId":…,"type":"video.segment"}, with its device key from pairing. Required: a segment without it is refused.',
    }),
  ),
  "x-threshold-visit-id": Type.Optional(
    idParam("visit", "The visit this segment witnesses (vis_…), when the camera records for one."),
  ),
});
export type UploadHeaders = Static<typeof UploadHeaders>;

/** Longest segment accepted: a camera that claimed minute-long segments would stay "live" for minutes after freezing. */
export const MAX_SEGMENT_DURATION_MS = 10_000;

export const UploadedSegment = Type.Object({
  id: Type.String({ description: "The stored segment's id (seg_…)." }),
  deviceId: Type.String(),
  sequence: Type.Integer(),
  chainHash: Type.String({ description: "What the stream's next segment must name as its prevHash." }),
  receivedAt: Type.String({ format: "date-time" }),
});
export type UploadedSegment = Static<typeof UploadedSegment>;

export const CameraFreshnessResponse = Type.Object({
  freshness: Type.Union([Type.Literal("live"), Type.Literal("stale")], {
    description:
      "live while the newest segment arrived no longer ago than 2 segment durations plus VIDEO_STALE_SLACK_MS (server clock); stale otherwise, or when the camera never sent one.",
  }),
  lastSegmentAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()], {
    description: "When the newest segment arrived at the server.",
  }),
  lastFrameAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()], {
    description: "Capture time of the newest segment's last frame, by the camera's clock: the time to show with STALE.",
  }),
});
export type CameraFreshnessResponse = Static<typeof CameraFreshnessResponse>;

export const VisitParams = Type.Object({ visitId: idParam("visit", "The visit's id (vis_…).") });

export const ClipSegmentParams = Type.Object({
  visitId: idParam("visit", "The visit's id (vis_…)."),
  segmentId: idParam("videoSegment", "The segment's id (seg_…), as the clip lists it."),
});

const IsoTime = (description: string) => Type.String({ format: "date-time", description });

export const ClipSegmentView = Type.Object({
  id: Type.String({ description: "The segment's id (seg_…); its bytes are at clip/segments/{id}.ts." }),
  sequence: Type.Integer({ description: "Its place in the camera's stream (0 starts a new stream)." }),
  startedAt: IsoTime("Capture time of its first frame (the camera's clock), to the millisecond."),
  durationMs: Type.Integer(),
  sizeBytes: Type.Integer(),
  contentSha256: Type.String({ description: "SHA-256 of its bytes, lowercase hex." }),
  prevHash: Type.String({ description: "chainHash of the segment before it in the stream, or 64 zeros." }),
  chainHash: Type.String({ description: "Its link in the camera's hash chain (docs/video.md)." }),
});

export const ClipResponse = Type.Object({
  visitId: Type.String(),
  cameraId: Type.String({ description: "The witness camera (dev_…): part of every chain hash." }),
  state: Type.Union([Type.Literal("recording"), Type.Literal("complete"), Type.Literal("incomplete")], {
    description:
      "recording until the post-roll after the visit's end has arrived; then complete when video covers the whole window, incomplete when it has gaps.",
  }),
  from: IsoTime("Start of the clip: the authorization minus VIDEO_CLIP_PREROLL_S."),
  until: Type.Union([IsoTime("End of the clip: the visit's end plus VIDEO_CLIP_POSTROLL_S."), Type.Null()], {
    description: "null while the visit goes on.",
  }),
  gaps: Type.Array(Type.Object({ from: IsoTime("Start of a stretch without video."), until: IsoTime("Its end.") })),
  segments: Type.Array(ClipSegmentView, { description: "Oldest first." }),
  playlistUrl: Type.String({ description: "The clip as HLS (EVENT while recording, then VOD)." }),
  downloadUrl: Type.String({ description: "The clip as one MP4 file." }),
});
export type ClipResponse = Static<typeof ClipResponse>;

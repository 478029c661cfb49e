import { canonicalJson } from "@threshold/core/canonical-json";

/**
 * What a camera signs for each video segment (docs/video.md, "Who vouches for the video"): its
 * device id and the segment's chain hash, under a type that no other signed message has, so a
 * segment signature can never pass for an event's or an ack's. The chain hash already commits to
 * the previous link, the sequence, both times and the bytes' SHA-256. Free of Node's modules, so
 * the web app's verifier imports it too (`@threshold/protocol/segment-statement`).
 */
export function segmentStatement(segment: { deviceId: string; chainHash: string }): string {
  return canonicalJson({ type: "video.segment", deviceId: segment.deviceId, chainHash: segment.chainHash });
}

/** An Ed25519 signature as carried in the upload header and the proof: 64 bytes, base64url. */
export const SEGMENT_SIGNATURE_PATTERN = /^[A-Za-z0-9_-]{86}$/;

import { createHash } from "node:crypto";
import { canonicalJson } from "@threshold/core";

/**
 * The hash chain of a camera's video segments (docs/video.md). The camera computes it as it
 * records; the server recomputes it on upload and the visit proof carries it, so a segment that
 * was reordered, swapped, replayed from another camera or edited no longer links. Pure and exactly
 * specified: any implementation that hashes the same canonical JSON gets the same hex.
 */

/** The `prevHash` of a stream's first segment: the segment before the first one. */
export const GENESIS_SEGMENT_HASH = "0".repeat(64);

/** Everything a segment's chain hash covers. The video bytes enter through their own SHA-256. */
export interface SegmentChainInput {
  /** `chainHash` of the previous segment of the stream, or GENESIS_SEGMENT_HASH for the first. */
  prevHash: string;
  /** The camera that recorded the segment. */
  deviceId: string;
  /** Position in the stream, from 0, one more with every segment. */
  sequence: number;
  /** Capture time of the first frame, integer milliseconds since the Unix epoch. */
  startedAt: number;
  /** Integer milliseconds of video in the segment. */
  durationMs: number;
  /** SHA-256 of the segment's bytes, lowercase hex. */
  contentSha256: string;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** SHA-256 of a segment's bytes as lowercase hex: what `contentSha256` holds. */
export function contentSha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * SHA-256 (lowercase hex) of the canonical JSON of exactly the six members of `input`. Throws a
 * TypeError on values two parties could encode differently (fractions, unsafe integers, upper-case
 * hex), because a chain that verifies on one machine must verify on every machine.
 */
export function segmentChainHash(input: SegmentChainInput): string {
  const { prevHash, deviceId, sequence, startedAt, durationMs, contentSha256: content } = input;
  requireHash("prevHash", prevHash);
  requireHash("contentSha256", content);
  if (typeof deviceId !== "string" || deviceId.length === 0) {
    throw new TypeError("segmentChainHash: deviceId must be a non-empty string");
  }
  requireCount("sequence", sequence);
  requireCount("startedAt", startedAt);
  requireCount("durationMs", durationMs);
  // Members are copied one by one so an extra property on the caller's object never changes the hash.
  const canonical = canonicalJson({ prevHash, deviceId, sequence, startedAt, durationMs, contentSha256: content });
  return createHash("sha256").update(canonical, "utf8").digest("hex");
}

function requireHash(name: string, value: string): void {
  if (typeof value !== "string" || !SHA256_HEX.test(value)) {
    throw new TypeError(`segmentChainHash: ${name} must be 64 lowercase hex characters`);
  }
}

function requireCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`segmentChainHash: ${name} must be a non-negative safe integer`);
  }
}

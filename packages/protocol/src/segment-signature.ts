import { type KeyObject, sign, verify } from "node:crypto";
import { SEGMENT_SIGNATURE_PATTERN, segmentStatement } from "./segment-statement.js";

/**
 * The camera's Ed25519 signature over one segment (segmentStatement): what makes its video the
 * camera's own rather than whatever someone holding its upload password sent. Base64url.
 */
export function signSegment(segment: { deviceId: string; chainHash: string }, privateKey: KeyObject): string {
  return sign(null, Buffer.from(segmentStatement(segment), "utf8"), privateKey).toString("base64url");
}

/** True when `signature` is the camera's (publicKey) over this segment. */
export function verifySegmentSignature(
  segment: { deviceId: string; chainHash: string },
  signature: string,
  publicKey: KeyObject,
): boolean {
  if (!SEGMENT_SIGNATURE_PATTERN.test(signature)) return false;
  return verify(null, Buffer.from(segmentStatement(segment), "utf8"), publicKey, Buffer.from(signature, "base64url"));
}

/**
 * verifySegmentSignature on libuv's thread pool: the upload route checks one per segment on the
 * event loop the visits share (as verifyMessageAsync does for device messages).
 */
export function verifySegmentSignatureAsync(
  segment: { deviceId: string; chainHash: string },
  signature: string,
  publicKey: KeyObject,
): Promise<boolean> {
  if (!SEGMENT_SIGNATURE_PATTERN.test(signature)) return Promise.resolve(false);
  const statement = Buffer.from(segmentStatement(segment), "utf8");
  return new Promise((resolve) => {
    verify(null, statement, publicKey, Buffer.from(signature, "base64url"), (err, ok) => resolve(!err && ok));
  });
}

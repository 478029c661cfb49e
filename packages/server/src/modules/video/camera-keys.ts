import type { KeyObject } from "node:crypto";
import { importPublicKey } from "@threshold/protocol";

/** Cameras whose parsed keys are kept; past it the cache starts over (a few hundred KiB at most). */
const MAX_CACHED_KEYS = 10_000;
const keys = new Map<string, KeyObject>();

/**
 * A camera's public key as a KeyObject, parsed once: every segment upload verifies a signature,
 * and parsing a key costs more than verifying with it (DESIGN.md section 10). Keyed by the raw
 * key itself, so a device removed or re-paired cannot leave a stale entry behind: its credentials
 * are checked on every upload before the key is asked for.
 */
export function cameraPublicKey(raw: string): KeyObject {
  let key = keys.get(raw);
  if (!key) {
    if (keys.size >= MAX_CACHED_KEYS) keys.clear();
    key = importPublicKey(raw);
    keys.set(raw, key);
  }
  return key;
}

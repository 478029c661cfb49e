import { ThresholdError } from "@threshold/core";
import { exportPublicKey, importPublicKey } from "@threshold/protocol";

/**
 * Accepts a device's raw Ed25519 public key only in its one canonical spelling: it must import, and
 * export back to the same text. Base64url has spare bits in its last character, so several texts
 * decode to one key; allowing only one keeps stored keys comparable.
 */
export function checkDevicePublicKey(raw: string): string {
  try {
    if (exportPublicKey(importPublicKey(raw)) === raw) return raw;
  } catch {
    // Reported below, the same way as a non-canonical key.
  }
  throw new ThresholdError(
    "invalid_request",
    "publicKey is not a raw Ed25519 public key in canonical base64url (43 characters); send the device's own public key.",
  );
}

import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

/**
 * A keypad PIN travels to its lock inside a signed command, and commands are stored and shown in
 * proofs; so the PIN is sealed for that one lock: AES-256-GCM under a key derived (HKDF-SHA-256)
 * from the secret the lock received at pairing, bound to the device and the code by the
 * associated data. Only the lock and the server can read it (docs/access-codes.md).
 */
const INFO = Buffer.from("threshold pin seal v1", "ascii");
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

function sealKey(secret: Uint8Array): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, Buffer.alloc(0), INFO, 32));
}

function associatedData(deviceId: string, codeId: string): Buffer {
  return Buffer.from(`${deviceId}\n${codeId}`, "utf8");
}

/** base64url(nonce ‖ ciphertext ‖ tag). `nonce` is for the published examples only: never reuse one. */
export function sealPin(
  secret: Uint8Array,
  deviceId: string,
  codeId: string,
  pin: string,
  nonce: Buffer = randomBytes(NONCE_BYTES),
): string {
  if (nonce.length !== NONCE_BYTES) throw new RangeError("the nonce is 12 bytes");
  const cipher = createCipheriv("aes-256-gcm", sealKey(secret), nonce);
  cipher.setAAD(associatedData(deviceId, codeId));
  const body = Buffer.concat([cipher.update(pin, "utf8"), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]).toString("base64url");
}

/** The PIN, or null when the seal was made for another lock or code, or was tampered with. */
export function openPin(secret: Uint8Array, deviceId: string, codeId: string, sealed: string): string | null {
  const bytes = Buffer.from(sealed, "base64url");
  if (bytes.length <= NONCE_BYTES + TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv("aes-256-gcm", sealKey(secret), bytes.subarray(0, NONCE_BYTES));
    decipher.setAAD(associatedData(deviceId, codeId));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const pin = Buffer.concat([
      decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]);
    return pin.toString("utf8");
  } catch {
    return null;
  }
}

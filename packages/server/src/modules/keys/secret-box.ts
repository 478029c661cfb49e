import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const KEY_FILE = "secret-box.key";
const PREFIX = "sb1.";

/**
 * Seals secrets the server must be able to read again — a lock's pairing secret (offline codes
 * are derived from it, so a hash would not do) and the PIN of a one-time code (shown to the
 * courier). AES-256-GCM under a 32-byte key kept in a file beside the signing keys (mode 0600,
 * never in the database): a copy of the database alone reveals no secret. The associated data
 * binds each sealed value to its row, so a value copied into another row does not open.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /** Loads the key from `dir`, making it on a new installation. */
  static open(dir: string): SecretBox {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = path.join(dir, KEY_FILE);
    if (!fs.existsSync(file)) {
      try {
        fs.writeFileSync(file, `${randomBytes(32).toString("base64url")}\n`, { mode: 0o600, flag: "wx" });
      } catch (error) {
        // Another process made it first; use theirs.
        if (!(error instanceof Error && "code" in error && error.code === "EEXIST")) throw error;
      }
    }
    const key = Buffer.from(fs.readFileSync(file, "utf8").trim(), "base64url");
    if (key.length !== 32) throw new Error(`${file} must hold a 32-byte key, base64url`);
    return new SecretBox(key);
  }

  seal(plaintext: Uint8Array | string, context: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, nonce);
    cipher.setAAD(Buffer.from(context, "utf8"));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return PREFIX + Buffer.concat([nonce, body, cipher.getAuthTag()]).toString("base64url");
  }

  /** The plaintext; throws when the value was not sealed by this key for this context. */
  open(sealed: string, context: string): Buffer {
    if (!sealed.startsWith(PREFIX)) throw new Error("not a sealed value");
    const bytes = Buffer.from(sealed.slice(PREFIX.length), "base64url");
    const decipher = createDecipheriv("aes-256-gcm", this.key, bytes.subarray(0, 12));
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    return Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]);
  }
}

/** The context a device's pairing secret is sealed under. */
export const deviceSecretContext = (deviceId: string) => `device-offline-secret:${deviceId}`;
/** The context an access code's PIN is sealed under. */
export const accessCodePinContext = (codeId: string) => `access-code-pin:${codeId}`;
/** The contexts a guest key's PIN and share-link token are sealed under. */
export const guestKeyPinContext = (keyId: string) => `guest-key-pin:${keyId}`;
export const guestKeyShareContext = (keyId: string) => `guest-key-share:${keyId}`;

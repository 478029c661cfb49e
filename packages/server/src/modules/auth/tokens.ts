import { createHash, timingSafeEqual } from "node:crypto";
import { ID_BODY_PATTERN, randomSecret } from "@threshold/core";

/** Name of the HTTP-only session cookie the web app signs in with. */
export const SESSION_COOKIE = "th_session";

/** API keys read `thk_<key id>_<secret>`: the id finds the row, the secret is compared by hash. */
const API_KEY_PATTERN = new RegExp(`^thk_(key_${ID_BODY_PATTERN})_([A-Za-z0-9_-]{43})$`);

/**
 * Session tokens, API key secrets and device secrets are 256 random bits, so one SHA-256 suffices
 * to store them: nothing can be guessed from the hash. Passwords, which people choose, get argon2id.
 */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

export function secretMatches(secret: string, expectedHash: string): boolean {
  const actual = Buffer.from(hashSecret(secret), "hex");
  const expected = Buffer.from(expectedHash, "hex");
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export function newSessionToken(): string {
  return randomSecret(32);
}

export function formatApiKey(keyId: string, secret: string): string {
  return `thk_${keyId}_${secret}`;
}

export function parseApiKey(value: string): { keyId: string; secret: string } | null {
  const match = API_KEY_PATTERN.exec(value);
  return match ? { keyId: match[1] as string, secret: match[2] as string } : null;
}

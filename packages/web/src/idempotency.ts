/**
 * A fresh Idempotency-Key. randomUUID exists only in secure contexts; a phone reaching a test
 * server over plain http on the LAN still gets 128 random bits.
 */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

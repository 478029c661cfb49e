import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Offline delivery codes (docs/offline-codes.md): an HOTP-style code (RFC 4226's dynamic
 * truncation over HMAC-SHA-256) that a lock can check with no network, derived from a secret the
 * lock was given at pairing, the validity slot and a counter. Pure: the caller passes the time.
 */

/** Length of one validity slot: a code is good for one hour of the delivery window. */
export const OFFLINE_CODE_SLOT_S = 3600;
/** Codes have 9 digits: one guess in 10^9, against at most OFFLINE_CODE_COUNTERS × 2 live codes. */
export const OFFLINE_CODE_DIGITS = 9;
/** Distinct codes per lock per slot (several shipments in the same hour); the lock tries each. */
export const OFFLINE_CODE_COUNTERS = 16;
/** Default tolerance for a lock clock that drifted: a code is accepted this long before and after its slot. */
export const OFFLINE_CODE_DEFAULT_SKEW_S = 300;
/** The shared secret is 32 random bytes (never derived from a serial or a MAC, DESIGN.md rule 8). */
export const OFFLINE_SECRET_BYTES = 32;

/** Version tag at the start of every HMAC input, so a later construction can never collide with this one. */
const MAGIC = Buffer.from("THO1", "ascii");

export interface OfflineCodeInput {
  /** The lock's shared secret, 32 bytes. */
  secret: Uint8Array;
  /** Slot index: floor(unix seconds / slotS). */
  slot: number;
  /** 0 ≤ counter < OFFLINE_CODE_COUNTERS. */
  counter: number;
  /** Slot length in seconds; OFFLINE_CODE_SLOT_S unless a test says otherwise. */
  slotS?: number;
}

/** The slot that contains `epochMs`. */
export function offlineSlotAt(epochMs: number, slotS: number = OFFLINE_CODE_SLOT_S): number {
  return Math.floor(epochMs / 1000 / slotS);
}

/** [start, end) of a slot, in epoch milliseconds. */
export function offlineSlotBounds(
  slot: number,
  slotS: number = OFFLINE_CODE_SLOT_S,
): { startMs: number; endMs: number } {
  return { startMs: slot * slotS * 1000, endMs: (slot + 1) * slotS * 1000 };
}

/** The 20 bytes that are MACed: "THO1" ‖ slot (uint64 BE) ‖ slot length s (uint32 BE) ‖ counter (uint32 BE). */
export function offlineCodeMessage(slot: number, counter: number, slotS: number = OFFLINE_CODE_SLOT_S): Buffer {
  if (!Number.isSafeInteger(slot) || slot < 0) throw new RangeError("slot must be a non-negative whole number");
  if (!Number.isInteger(counter) || counter < 0 || counter >= OFFLINE_CODE_COUNTERS) {
    throw new RangeError(`counter must be a whole number from 0 to ${OFFLINE_CODE_COUNTERS - 1}`);
  }
  if (!Number.isInteger(slotS) || slotS < 1 || slotS > 0xffffffff) throw new RangeError("slotS must be positive");
  const message = Buffer.alloc(20);
  MAGIC.copy(message, 0);
  message.writeBigUInt64BE(BigInt(slot), 4);
  message.writeUInt32BE(slotS, 12);
  message.writeUInt32BE(counter, 16);
  return message;
}

/** The 9-digit code for one (secret, slot, counter), zero-padded. */
export function offlineCode(input: OfflineCodeInput): string {
  if (input.secret.length !== OFFLINE_SECRET_BYTES) throw new RangeError("the secret must be 32 bytes");
  const mac = createHmac("sha256", input.secret)
    .update(offlineCodeMessage(input.slot, input.counter, input.slotS ?? OFFLINE_CODE_SLOT_S))
    .digest();
  return truncate(mac);
}

/**
 * RFC 4226 §5.3 dynamic truncation, on a 32-byte MAC: the low nibble of the last byte picks an
 * offset; the 31 bits from there (top bit cleared, so signed and unsigned readers agree), modulo
 * 10^digits (9 for offline codes; locker pickup codes use 8).
 */
export function truncate(mac: Uint8Array, digits: number = OFFLINE_CODE_DIGITS): string {
  const offset = (mac[mac.length - 1] as number) & 0x0f;
  const bin =
    (((mac[offset] as number) & 0x7f) << 24) |
    ((mac[offset + 1] as number) << 16) |
    ((mac[offset + 2] as number) << 8) |
    (mac[offset + 3] as number);
  return String(bin % 10 ** digits).padStart(digits, "0");
}

export interface OfflineCodeMatch {
  slot: number;
  counter: number;
}

/**
 * What a lock runs: the (slot, counter) that `code` was made for, if that slot, widened by
 * `skewS` on both sides, contains `nowMs`; null otherwise. Every candidate is computed and
 * compared in constant time, so the time taken says nothing about near misses.
 */
export function matchOfflineCode(
  secret: Uint8Array,
  code: string,
  nowMs: number,
  options: { skewS?: number; slotS?: number } = {},
): OfflineCodeMatch | null {
  const slotS = options.slotS ?? OFFLINE_CODE_SLOT_S;
  const skewMs = (options.skewS ?? OFFLINE_CODE_DEFAULT_SKEW_S) * 1000;
  if (!/^[0-9]{9}$/.test(code)) return null;
  const given = Buffer.from(code, "ascii");
  let found: OfflineCodeMatch | null = null;
  const first = offlineSlotAt(nowMs - skewMs, slotS);
  const last = offlineSlotAt(nowMs + skewMs, slotS);
  for (let slot = Math.max(0, first); slot <= last; slot++) {
    for (let counter = 0; counter < OFFLINE_CODE_COUNTERS; counter++) {
      const candidate = Buffer.from(offlineCode({ secret, slot, counter, slotS }), "ascii");
      if (timingSafeEqual(candidate, given) && found === null) found = { slot, counter };
    }
  }
  return found;
}

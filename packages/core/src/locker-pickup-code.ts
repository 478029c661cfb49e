import { createHmac, timingSafeEqual } from "node:crypto";
import { truncate } from "./offline-code.js";

/**
 * Locker pickup codes (docs/lockers.md, "Offline pickup"): derived, not stored, so the locker
 * controller can check a code with no network. The code of a parcel is
 *
 *   HMAC-SHA-256(secret, "THL1" ‖ compartment number (uint32 BE) ‖ deposit counter (uint32 BE))
 *
 * with RFC 4226 dynamic truncation to 8 digits. `secret` is the controller's 32-byte pairing
 * secret (the one offline keypad codes use, docs/offline-codes.md); the deposit counter is the
 * controller's own count of deposits into that compartment, reported in the signed event that
 * confirmed the deposit. A new deposit makes a new code; a pickup ends the old one for good,
 * because the controller never goes back to an earlier counter.
 */
export const PICKUP_CODE_DIGITS = 8;

const MAGIC = Buffer.from("THL1", "ascii");

export function pickupCodeMessage(compartment: number, depositCounter: number): Buffer {
  for (const [name, value] of [
    ["compartment", compartment],
    ["depositCounter", depositCounter],
  ] as const) {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new RangeError(`${name} must be a whole number from 0 to 2^32-1`);
    }
  }
  const message = Buffer.alloc(12);
  MAGIC.copy(message, 0);
  message.writeUInt32BE(compartment, 4);
  message.writeUInt32BE(depositCounter, 8);
  return message;
}

/** The 8-digit pickup code of the parcel deposited into `compartment` as deposit number `depositCounter`. */
export function lockerPickupCode(secret: Uint8Array, compartment: number, depositCounter: number): string {
  if (secret.length !== 32) throw new RangeError("the secret must be 32 bytes");
  const mac = createHmac("sha256", secret).update(pickupCodeMessage(compartment, depositCounter)).digest();
  return truncate(mac, PICKUP_CODE_DIGITS);
}

/**
 * Which of the `candidates` (occupied compartments with their current deposit counter) `code`
 * opens; null for none. Every candidate is compared in constant time.
 */
export function matchPickupCode(
  secret: Uint8Array,
  code: string,
  candidates: readonly { compartment: number; depositCounter: number }[],
): { compartment: number; depositCounter: number } | null {
  if (!/^[0-9]{8}$/.test(code)) return null;
  const given = Buffer.from(code, "ascii");
  let found: { compartment: number; depositCounter: number } | null = null;
  for (const candidate of candidates) {
    const expected = Buffer.from(lockerPickupCode(secret, candidate.compartment, candidate.depositCounter), "ascii");
    if (timingSafeEqual(expected, given) && found === null) found = candidate;
  }
  return found;
}

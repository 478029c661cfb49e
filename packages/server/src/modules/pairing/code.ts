import { randomBytes } from "node:crypto";

// Crockford base32 without I, L, O, U: no two characters look or sound alike, and 32 symbols
// take exactly 5 bits of a random byte, so every character is equally likely.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const LENGTH = 8;

/** A fresh pairing code, normalised (8 characters, no dash): 40 random bits. */
export function newPairingCode(): string {
  const bytes = randomBytes(LENGTH);
  let code = "";
  for (const byte of bytes) code += ALPHABET[byte & 31];
  return code;
}

/** How a device shows the code: ABCD-2345. */
export function displayPairingCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * The code as typed by a person, normalised: any case, dashes and spaces ignored, and the letters
 * Crockford base32 reads as digits (O as 0, I and L as 1) mapped. Null when it cannot be a code.
 */
export function normalisePairingCode(input: string): string | null {
  const code = input.toUpperCase().replace(/[\s-]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1");
  if (code.length !== LENGTH) return null;
  for (const char of code) if (!ALPHABET.includes(char)) return null;
  return code;
}

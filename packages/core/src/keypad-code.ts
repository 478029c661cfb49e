import { randomInt } from "node:crypto";

/**
 * One-time keypad codes that Threshold programs into a lock (docs/access-codes.md). Random, so
 * nothing about a shipment predicts them; trivial codes are never handed out, following the
 * keypad rules of Nuki and Seam (REFERENCE.md): digits 1–9 only, not starting with "12".
 */
export const KEYPAD_CODE_LENGTH = 8;

/** True for codes a passer-by would try first: one digit repeated, a run up or down, a repeated pair or "12…" start. */
export function isTrivialKeypadCode(code: string): boolean {
  if (code.startsWith("12")) return true;
  if (new Set(code).size <= 2) return true;
  let up = true;
  let down = true;
  for (let i = 1; i < code.length; i++) {
    const step = code.charCodeAt(i) - code.charCodeAt(i - 1);
    if (step !== 1) up = false;
    if (step !== -1) down = false;
  }
  return up || down;
}

/** A fresh random code of `length` (6–8) digits from 1–9 that is not trivial. */
export function newKeypadCode(
  length: number = KEYPAD_CODE_LENGTH,
  random: (max: number) => number = randomInt,
): string {
  if (!Number.isInteger(length) || length < 6 || length > 8) throw new RangeError("a keypad code has 6 to 8 digits");
  for (;;) {
    let code = "";
    for (let i = 0; i < length; i++) code += String(1 + random(9));
    if (!isTrivialKeypadCode(code)) return code;
  }
}

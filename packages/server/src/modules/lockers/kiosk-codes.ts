import { matchPickupCode, ThresholdError } from "@threshold/core";
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.js";
import type { BankRow } from "./repository.js";

/** Wrong codes are counted at a kiosk over this window. */
export const WRONG_CODE_WINDOW_MS = 15 * 60_000;
/** How far back a code already used is still recognised (beyond it, it is a wrong code like any other). */
const SPENT_CODE_MEMORY_MS = 90 * 24 * 3600_000;
/** At most this many recent pickups are compared against a typed code (each in constant time). */
const SPENT_CODE_CANDIDATES = 500;

/**
 * Who typed a code at the kiosk, as far as the kiosk can tell: a signed-in account (the resident's
 * phone, a session on the kiosk), or nobody known — the anonymous keypad, counted per bank.
 */
export type KioskSource = { kind: "account"; userId: string } | { kind: "anonymous" };

/**
 * The kiosk's lockout from one source's wrong codes (oldest first): `wrong_code_limit` of them
 * within 15 minutes lock it for `lockout_s` from the last one; after a lockout the count starts
 * again. Returns when the lockout in force ends (null for none) and how many wrong codes count now.
 */
export function kioskLockout(
  failures: readonly number[],
  bank: Pick<BankRow, "wrong_code_limit" | "lockout_s">,
  now: number,
): { lockedUntil: number | null; wrongInARow: number } {
  let run: number[] = [];
  let lockedUntil: number | null = null;
  for (const at of failures) {
    if (lockedUntil !== null && at >= lockedUntil) lockedUntil = null;
    run = run.filter((earlier) => earlier > at - WRONG_CODE_WINDOW_MS);
    run.push(at);
    if (run.length >= bank.wrong_code_limit) {
      lockedUntil = at + bank.lockout_s * 1000;
      run = [];
    }
  }
  if (lockedUntil !== null && lockedUntil <= now) lockedUntil = null;
  return { lockedUntil, wrongInARow: run.filter((at) => at > now - WRONG_CODE_WINDOW_MS).length };
}

/** The column value a source's failures are stored under: the account's id, or null for the keypad. */
export function sourceKey(source: KioskSource): string | null {
  return source.kind === "account" ? source.userId : null;
}

/** One source's wrong codes at the bank over the last window and lockout, oldest first. */
export async function kioskFailures(
  db: Kysely<Database>,
  bank: BankRow,
  source: KioskSource,
  now: number,
): Promise<number[]> {
  const key = sourceKey(source);
  let query = db
    .selectFrom("locker_code_failures")
    .select("at")
    .where("bank_id", "=", bank.id)
    .where("at", ">", now - WRONG_CODE_WINDOW_MS - bank.lockout_s * 1000);
  query = key === null ? query.where("source", "is", null) : query.where("source", "=", key);
  const rows = await query.orderBy("at").execute();
  return rows.map((row) => Number(row.at));
}

/** 429 kiosk_locked_out, saying until when and how long that is from now. */
export function lockedOut(lockedUntil: number, now: number, why: string): ThresholdError {
  const retryAfterS = Math.max(1, Math.ceil((lockedUntil - now) / 1000));
  const minutes = Math.ceil(retryAfterS / 60);
  return new ThresholdError(
    "kiosk_locked_out",
    `${why} Try again in ${minutes} ${minutes === 1 ? "minute" : "minutes"}, or open the parcel in the Threshold app.`,
    { until: new Date(lockedUntil).toISOString(), retryAfterS },
  );
}

/**
 * Whether `code` is the pickup code of a parcel this bank already handed out (picked up, or gone
 * back to its carrier): such a code is known, not a guess, and is answered as such without
 * counting. Null when it is no code the bank has known lately.
 */
export async function spentPickup(
  db: Kysely<Database>,
  secret: Uint8Array,
  bank: BankRow,
  code: string,
  now: number,
): Promise<"picked_up" | "expired" | null> {
  const rows = await db
    .selectFrom("locker_parcels")
    .innerJoin("compartments", "compartments.id", "locker_parcels.compartment_id")
    .select(["compartments.number", "locker_parcels.deposits", "locker_parcels.status"])
    .where("locker_parcels.bank_id", "=", bank.id)
    .where("locker_parcels.kind", "=", "delivery")
    .where("locker_parcels.status", "in", ["picked_up", "expired", "collected"])
    .where("locker_parcels.deposits", "is not", null)
    .where("locker_parcels.updated_at", ">", now - SPENT_CODE_MEMORY_MS)
    .orderBy("locker_parcels.updated_at", "desc")
    .limit(SPENT_CODE_CANDIDATES)
    .execute();
  const match = matchPickupCode(
    secret,
    code,
    rows.map((row) => ({ compartment: row.number, depositCounter: Number(row.deposits) })),
  );
  if (!match) return null;
  const parcel = rows.find((row) => row.number === match.compartment && Number(row.deposits) === match.depositCounter);
  return parcel?.status === "picked_up" ? "picked_up" : "expired";
}

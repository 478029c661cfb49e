import { isIPv6 } from "node:net";
import { type Clock, ThresholdError } from "@threshold/core";
import type { Kysely } from "kysely";
import type { Dialect } from "../../db/database.js";
import type { Database } from "../../db/schema.js";
import {
  countRecentFailures,
  deleteOneFailure,
  deleteSubject,
  nthRecentFailure,
  pruneFailures,
  recordFailures,
} from "./login-failures.js";

/** Failed sign-ins allowed per window before further attempts are refused, even with the right password. */
export const LOGIN_LIMITS = {
  windowMs: 15 * 60_000,
  perAccount: 5,
  perAddress: 20,
} as const;

/** Old rows are swept at most this often per process; they are ignored by counts anyway. */
const PRUNE_EVERY_MS = 60_000;

/** A 429 that carries when to retry, for the Retry-After header. */
export class LoginRateLimited extends ThresholdError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super("rate_limited", message, { retryAfterSeconds });
  }
}

/** An attempt in progress: the rows written for it, to be kept (failure) or withdrawn (success). */
export interface LoginAttempt {
  at: number;
  accountSubject: string;
  addressSubject: string;
}

/**
 * Limits failed sign-ins per account and per client address, in the database so the limit holds
 * across server processes.
 *
 * An attempt is written down *before* the password is checked, then counted: the k-th attempt to
 * be committed sees at least k rows, so a burst of parallel requests cannot slip more than the
 * limit past the check (check-then-record would let every request of a burst through). A refused
 * attempt withdraws its own rows so that waiting, not hammering, is what lifts the limit; a
 * successful one clears the account's failures and withdraws its address row.
 */
export class LoginLimiter {
  private lastPrunedAt = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    private readonly clock: Clock,
  ) {}

  async begin(email: string, address: string): Promise<LoginAttempt> {
    const at = this.clock.now();
    const attempt = { at, accountSubject: accountSubject(email), addressSubject: addressSubject(address) };
    await this.prune(at);
    await recordFailures(this.db, [attempt.accountSubject, attempt.addressSubject], at);
    const since = at - LOGIN_LIMITS.windowMs;
    const counts = await countRecentFailures(this.db, [attempt.accountSubject, attempt.addressSubject], since);
    // Counts include this attempt's own row, hence "more than the limit".
    const overAccount = (counts.get(attempt.accountSubject) ?? 0) - LOGIN_LIMITS.perAccount;
    const overAddress = (counts.get(attempt.addressSubject) ?? 0) - LOGIN_LIMITS.perAddress;
    if (overAccount <= 0 && overAddress <= 0) return attempt;

    await this.withdraw(attempt);
    // The limit lifts once enough of the oldest failures leave the window: the (over)-th oldest.
    const retryAt = Math.max(
      overAccount > 0 ? await this.expiry(attempt.accountSubject, since, overAccount) : 0,
      overAddress > 0 ? await this.expiry(attempt.addressSubject, since, overAddress) : 0,
    );
    const retryAfterSeconds = Math.max(1, Math.ceil((retryAt - at) / 1000));
    const which = overAccount > 0 ? "for this account" : "from your address";
    throw new LoginRateLimited(
      `Too many failed sign-ins ${which}. Try again after ${new Date(at + retryAfterSeconds * 1000).toISOString()} ` +
        `(in ${describeWait(retryAfterSeconds)}).`,
      retryAfterSeconds,
    );
  }

  /** The password was right: the account starts afresh and this attempt no longer counts against the address. */
  async succeeded(attempt: LoginAttempt): Promise<void> {
    await deleteSubject(this.db, attempt.accountSubject);
    await deleteOneFailure(this.db, this.dialect, attempt.addressSubject, attempt.at);
  }

  private async withdraw(attempt: LoginAttempt): Promise<void> {
    await deleteOneFailure(this.db, this.dialect, attempt.accountSubject, attempt.at);
    await deleteOneFailure(this.db, this.dialect, attempt.addressSubject, attempt.at);
  }

  private async expiry(subject: string, since: number, over: number): Promise<number> {
    const at = await nthRecentFailure(this.db, subject, since, over - 1);
    // Rows may have been withdrawn meanwhile; a full window is then a safe upper bound.
    return (at ?? this.clock.now()) + LOGIN_LIMITS.windowMs;
  }

  private async prune(now: number): Promise<void> {
    if (now - this.lastPrunedAt < PRUNE_EVERY_MS && now >= this.lastPrunedAt) return;
    this.lastPrunedAt = now;
    await pruneFailures(this.db, now - LOGIN_LIMITS.windowMs);
  }
}

/** Emails are compared as stored: trimmed and lower-case. Unknown emails are limited just the same. */
function accountSubject(email: string): string {
  return `account:${email.trim().toLowerCase()}`;
}

/**
 * IPv6 clients usually hold a whole /64, so the limit applies to the /64 rather than to one
 * address an attacker can rotate freely.
 */
export function addressSubject(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return `address:${mapped[1]}`;
  if (!isIPv6(ip)) return `address:${ip}`;
  return `address:${expandIPv6(ip).slice(0, 4).join(":")}::/64`;
}

function expandIPv6(ip: string): string[] {
  const [head = "", tail] = ip.split("%")[0]?.split("::") ?? [""];
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const zeros = new Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0");
  return [...left, ...(tail === undefined ? [] : zeros), ...right].map((group) =>
    (Number.parseInt(group, 16) || 0).toString(16),
  );
}

function describeWait(seconds: number): string {
  if (seconds < 90) return `${seconds} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

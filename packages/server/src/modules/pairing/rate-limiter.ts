import type { Clock } from "@threshold/core";
import { ThresholdError } from "@threshold/core";

/** A 429 that says when to retry; routes copy it into a Retry-After header. */
export class RateLimited extends ThresholdError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super("rate_limited", message, { retryAfterSeconds });
  }
}

/** One counted hit, to hand back with `release` when it should not count after all. */
export interface Hit {
  key: string;
  at: number;
}

/**
 * At most `limit` hits per key in any `windowMs`, kept in this process's memory: enough for
 * pairing, whose secrets are short-lived and whose abuse is cheap to slow down. A hit is counted
 * when it is taken (before the work it guards), so a burst of parallel requests cannot slip past.
 * The number of keys is capped so that a flood of addresses cannot exhaust memory.
 */
export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxKeys = 10_000,
  ) {}

  /** Counts a hit for `key`, or throws RateLimited (counting nothing) when the key is at its limit. */
  take(key: string, message: (retryAt: string) => string): Hit {
    const now = this.clock.now();
    const recent = (this.hits.get(key) ?? []).filter((at) => now - at < this.windowMs);
    if (recent.length >= this.limit) {
      this.hits.set(key, recent);
      // The limit lifts when the oldest hit in the window leaves it.
      const retryAt = (recent[0] ?? now) + this.windowMs;
      const retryAfterSeconds = Math.max(1, Math.ceil((retryAt - now) / 1000));
      throw new RateLimited(message(new Date(now + retryAfterSeconds * 1000).toISOString()), retryAfterSeconds);
    }
    recent.push(now);
    this.hits.delete(key);
    this.hits.set(key, recent);
    this.evict(now);
    return { key, at: now };
  }

  /** Withdraws a hit, e.g. a pairing claim that succeeded and so was no guess. */
  release(hit: Hit): void {
    const recent = this.hits.get(hit.key);
    const index = recent?.indexOf(hit.at) ?? -1;
    if (recent && index >= 0) recent.splice(index, 1);
  }

  private evict(now: number): void {
    if (this.hits.size <= this.maxKeys) return;
    for (const [key, times] of this.hits) {
      if (times.every((at) => now - at >= this.windowMs)) this.hits.delete(key);
    }
    // Still full: forget the keys least recently hit (a Map iterates in insertion order).
    for (const key of this.hits.keys()) {
      if (this.hits.size <= this.maxKeys) break;
      this.hits.delete(key);
    }
  }
}

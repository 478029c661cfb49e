import type { ManualClock } from "./clock.js";

/** A timer handed out by a Scheduler; cancelling it twice, or after it fired, does nothing. */
export interface Timer {
  cancel(): void;
}

/**
 * Timers are injected beside the clock (DESIGN.md habit 7): code that waits "30 s, then relock"
 * asks a Scheduler, so a test can move time itself instead of sleeping and hoping.
 */
export interface Scheduler {
  /** Calls `fn` once, `ms` from now. */
  setTimeout(fn: () => void, ms: number): Timer;
  /** Calls `fn` every `ms` until cancelled. */
  setInterval(fn: () => void, ms: number): Timer;
}

/** Node's own timers. */
export const systemScheduler: Scheduler = {
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(handle) };
  },
  setInterval(fn, ms) {
    const handle = setInterval(fn, ms);
    return { cancel: () => clearInterval(handle) };
  },
};

interface Pending {
  readonly id: number;
  dueAt: number;
  readonly fn: () => void;
  /** Set for an interval: it is due again this long after it fired. */
  readonly everyMs: number | undefined;
}

/**
 * Timers that fire only when a test moves a ManualClock forward through `advance`, each at its own
 * due time and in due order, with the clock reading that time while it runs.
 */
export class ManualScheduler implements Scheduler {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(readonly clock: ManualClock) {}

  setTimeout(fn: () => void, ms: number): Timer {
    return this.add(fn, ms, undefined);
  }

  setInterval(fn: () => void, ms: number): Timer {
    // A zero interval would fire forever within one advance.
    return this.add(fn, ms, Math.max(1, ms));
  }

  /** How many timers are waiting to fire. */
  get size(): number {
    return this.pending.size;
  }

  /** Moves the clock `ms` forward, firing every timer that comes due on the way, earliest first. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`advance takes a duration of 0 or more, not ${ms}`);
    const end = this.clock.now() + ms;
    for (let next = this.nextDue(end); next; next = this.nextDue(end)) {
      if (next.dueAt > this.clock.now()) this.clock.set(next.dueAt);
      if (next.everyMs === undefined) this.pending.delete(next.id);
      else next.dueAt += next.everyMs;
      next.fn();
    }
    this.clock.set(end);
  }

  private add(fn: () => void, ms: number, everyMs: number | undefined): Timer {
    const id = this.nextId++;
    this.pending.set(id, { id, dueAt: this.clock.now() + Math.max(0, ms), fn, everyMs });
    return { cancel: () => this.pending.delete(id) };
  }

  /** The earliest timer due by `end`; among timers due together, the one set first. */
  private nextDue(end: number): Pending | undefined {
    let earliest: Pending | undefined;
    for (const timer of this.pending.values()) {
      if (timer.dueAt <= end && (!earliest || timer.dueAt < earliest.dueAt)) earliest = timer;
    }
    return earliest;
  }
}

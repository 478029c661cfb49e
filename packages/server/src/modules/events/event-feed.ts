import type { AuditEvent } from "@threshold/core";
import type { AppContext } from "../../context.js";
import { headSeq } from "./repository.js";
import { SiteOwners } from "./visibility.js";

export const FEED_PAGE = 500;
/** Another server process may have appended: its events are found by this poll. */
export const FEED_POLL_MS = 1_000;

export interface FeedSubscriber {
  /** Events in seq order, each batch following the last without a gap. Must not throw. */
  deliver(events: readonly AuditEvent[], owners: SiteOwners): void;
}

/**
 * Reads newly committed audit events from the database, by seq, once for all open streams, and
 * hands each batch to every subscriber. It wakes when this process appends and polls every second
 * for appends by other processes; either way the database decides the order.
 *
 * The invariant streams rely on: a subscriber added while `seq` is N is delivered every event after N.
 */
export class EventFeed {
  readonly owners: SiteOwners;
  private lastSeq = 0;
  private readonly subscribers = new Set<FeedSubscriber>();
  private starting: Promise<void> | null = null;
  /** Set while the feed runs (listening and polling). */
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Bumped on stop, so a read begun before it is dropped rather than delivered. */
  private generation = 0;
  private reading = false;
  private readAgain = false;
  private readonly wake = () => void this.read();

  constructor(private readonly ctx: Pick<AppContext, "db" | "audit" | "log">) {
    this.owners = new SiteOwners(ctx.db);
  }

  /** The last seq delivered to subscribers. */
  get seq(): number {
    return this.lastSeq;
  }

  /** Adds a subscriber; resolves once the feed runs, so `seq` is meaningful. Returns the unsubscribe. */
  async subscribe(subscriber: FeedSubscriber): Promise<() => void> {
    // Loops because the last subscriber may leave (stopping the feed) while this one waits.
    while (this.timer === null) {
      if (this.closed) throw new Error("the event feed is closed");
      this.starting ??= this.start().finally(() => {
        this.starting = null;
      });
      await this.starting;
    }
    this.subscribers.add(subscriber);
    return () => {
      this.subscribers.delete(subscriber);
      if (this.subscribers.size === 0) this.stop();
    };
  }

  close(): void {
    this.closed = true;
    this.subscribers.clear();
    this.stop();
  }

  private async start(): Promise<void> {
    const generation = this.generation;
    const seq = await headSeq(this.ctx.db);
    if (generation !== this.generation) return;
    this.lastSeq = seq;
    this.ctx.audit.on("appended", this.wake);
    this.timer = setInterval(this.wake, FEED_POLL_MS);
    this.timer.unref();
  }

  private stop(): void {
    this.generation++;
    this.ctx.audit.off("appended", this.wake);
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async read(): Promise<void> {
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = true;
    this.readAgain = false;
    const generation = this.generation;
    try {
      for (;;) {
        const events = await this.ctx.audit.since(this.lastSeq, FEED_PAGE);
        if (events.length > 0) await this.owners.load(events);
        if (generation !== this.generation) return;
        const last = events[events.length - 1];
        if (!last) return;
        // Advance and deliver in one synchronous step: the invariant above depends on it.
        this.lastSeq = last.seq;
        for (const subscriber of this.subscribers) subscriber.deliver(events, this.owners);
        if (events.length < FEED_PAGE) return;
      }
    } catch (err) {
      // The next wake or poll tries again from the same seq; nothing is skipped.
      this.ctx.log.warn({ err }, "reading new audit events for live streams failed");
    } finally {
      this.reading = false;
      // Woken while reading: what woke us may have committed after our last read.
      if (this.readAgain && this.timer !== null) void this.read();
    }
  }
}

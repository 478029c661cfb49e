import type { AuditEvent } from "@threshold/core";
import type { Kysely } from "kysely";
import { fromRow } from "../../audit/audit-log.js";
import type { Database } from "../../db/schema.js";
import { type EventFeed, FEED_PAGE, type FeedSubscriber } from "./event-feed.js";
import { eventsBetween, headSeq } from "./repository.js";
import type { SiteOwners, Viewer } from "./visibility.js";

/**
 * One reader's stream: first everything it may see after its resume point, read from the database
 * in pages, then the feed's live batches. While catching up it ignores the feed and reads up to the
 * feed's position, and it turns live only when it has caught up with that position in the same
 * synchronous step, so nothing is missed or sent twice. Everything is in seq order.
 */
export class EventStream implements FeedSubscriber {
  private cursor: number;
  private live = false;
  private closed = false;
  private ended = false;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly feed: EventFeed,
    private readonly viewer: Viewer,
    after: number,
    /** Sends one event; false when the reader cannot keep up (the stream then ends). */
    private readonly send: (event: AuditEvent) => boolean,
    private readonly end: () => void,
  ) {
    this.cursor = after;
  }

  /** Joins the feed and replays what was missed; the stream is live when this resolves. */
  async start(): Promise<void> {
    this.unsubscribe = await this.feed.subscribe(this);
    if (this.closed) return this.close();
    // A resume point beyond the log (a client of an older database, say) would wait forever.
    if (this.cursor > this.feed.seq) this.cursor = Math.min(this.cursor, await headSeq(this.db));
    for (;;) {
      const target = this.feed.seq;
      while (this.cursor < target) {
        const rows = await eventsBetween(this.db, this.viewer.scope, this.cursor, target, FEED_PAGE);
        if (this.closed) return;
        const events = rows.map(fromRow);
        await this.feed.owners.load(events);
        if (this.closed) return;
        for (const event of events) {
          if (this.viewer.sees(event, this.feed.owners) && !this.send(event)) return this.close();
        }
        const last = events[events.length - 1];
        this.cursor = last && events.length === FEED_PAGE ? last.seq : target;
      }
      if (this.feed.seq === target) {
        this.live = true;
        return;
      }
    }
  }

  deliver(events: readonly AuditEvent[], owners: SiteOwners): void {
    if (!this.live || this.closed) return;
    for (const event of events) {
      if (event.seq <= this.cursor) continue;
      this.cursor = event.seq;
      if (this.viewer.sees(event, owners) && !this.send(event)) {
        this.close();
        return;
      }
    }
  }

  /** Leaves the feed and ends the response; safe to call any number of times. */
  close(): void {
    this.closed = true;
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = null;
    unsubscribe?.();
    if (this.ended) return;
    this.ended = true;
    this.end();
  }
}

import type { Clock } from "@threshold/core";
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import { Gauge, type Registry } from "prom-client";
import type { Database } from "../db/schema.js";
import { oncePerScrape } from "./once-per-scrape.js";

interface Backlog {
  pending: number;
  due: number;
  oldestAgeSeconds: number;
}

/**
 * The webhook backlog, read at each scrape: deliveries still pending (waiting for their first
 * attempt or a retry), those due now, and how long the oldest has waited. One query, answered from
 * the (status, next_attempt_at) index; it counts every process's deliveries, as they share the table.
 */
export function observeWebhookBacklog(
  registry: Registry,
  deps: { db: Kysely<Database>; clock: Clock; log: Logger },
): void {
  const backlog = oncePerScrape(async (): Promise<Backlog | null> => {
    const now = deps.clock.now();
    try {
      const row = await deps.db
        .selectFrom("webhook_deliveries")
        .select((eb) => [
          eb.fn.countAll<number | string>().as("pending"),
          eb.fn
            .sum<number | string | null>(eb.case().when("next_attempt_at", "<=", now).then(1).else(0).end())
            .as("due"),
          eb.fn.min<number | string | null>("created_at").as("oldest"),
        ])
        .where("status", "=", "pending")
        .executeTakeFirstOrThrow();
      const oldest = row.oldest === null ? null : Number(row.oldest);
      return {
        pending: Number(row.pending),
        due: Number(row.due ?? 0),
        oldestAgeSeconds: oldest === null ? 0 : Math.max(0, (now - oldest) / 1000),
      };
    } catch (err) {
      deps.log.warn({ err }, "metrics: cannot read the webhook backlog");
      return null;
    }
  });
  const gauge = (name: string, help: string, pick: (b: Backlog) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const b = await backlog();
        // NaN, not a stale figure, when the database cannot be read (the log says why).
        this.set(b === null ? Number.NaN : pick(b));
      },
    });
  gauge(
    "threshold_webhook_deliveries_pending",
    "Webhook deliveries not yet delivered or failed: waiting for their first attempt or a retry.",
    (b) => b.pending,
  );
  gauge("threshold_webhook_deliveries_due", "Pending webhook deliveries whose next attempt is due now.", (b) => b.due);
  gauge(
    "threshold_webhook_oldest_pending_age_seconds",
    "How long the oldest pending webhook delivery has waited since it was enqueued (0 when none).",
    (b) => b.oldestAgeSeconds,
  );
}

import type { Clock } from "@threshold/core";
import type { ExpressionBuilder, Kysely } from "kysely";
import type { Logger } from "pino";
import type { Dialect } from "../../db/database.js";
import type { Database } from "../../db/schema.js";
import { signWebhook } from "../../modules/webhooks/signature.js";
import {
  DeliveryRefused,
  type Resolver,
  resolveDeliveryTarget,
  type UrlPolicy,
} from "../../modules/webhooks/url-policy.js";
import { Pump } from "./pump.js";
import { postWebhook, type SendOutcome } from "./send.js";

/**
 * Waits after each failed attempt (Seam's schedule): 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h —
 * eight attempts over more than a day, then the delivery is failed.
 */
export const RETRY_DELAYS_MS = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
] as const;

export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

const MAX_ERROR_LENGTH = 500;

export interface DeliveryWorkerDeps {
  db: Kysely<Database>;
  dialect: Dialect;
  clock: Clock;
  log: Logger;
  pollMs: number;
  timeoutMs: number;
  policy: UrlPolicy;
  /** Attempts in flight at once, per worker. */
  concurrency?: number;
  /** Host name lookup (tests may stub it). */
  resolve?: Resolver;
}

type Claimed = Pick<Database["webhook_deliveries"], "id" | "endpoint_id" | "payload" | "attempts">;

const CLAIMED_COLUMNS = ["id", "endpoint_id", "payload", "attempts"] as const;

/** Pending, due, and not claimed by a live worker. */
function isDue(now: number) {
  return (eb: ExpressionBuilder<Database, "webhook_deliveries">) =>
    eb.and([
      eb("status", "=", "pending"),
      eb("next_attempt_at", "<=", now),
      eb.or([eb("locked_until", "is", null), eb("locked_until", "<=", now)]),
    ]);
}

/**
 * Sends due webhook deliveries. Each attempt is claimed row by row first — a lease in
 * `locked_until` — so any number of workers, in any number of processes, never send the same
 * attempt twice. Every attempt is logged in webhook_attempts. The webhook-id is the delivery id,
 * the same on every attempt, so receivers de-duplicate.
 */
export class WebhookDeliveryWorker {
  private readonly pump: Pump;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private readonly concurrency: number;
  /** A claim outlives the longest attempt, so only a crashed worker's claim ever expires. */
  private readonly leaseMs: number;

  constructor(private readonly deps: DeliveryWorkerDeps) {
    this.concurrency = deps.concurrency ?? 8;
    this.leaseMs = deps.timeoutMs + 60_000;
    this.pump = new Pump("webhook delivery", () => this.step(), deps.pollMs, deps.log);
  }

  start(): void {
    this.pump.start();
  }

  /** Looks for due deliveries now (after new ones were enqueued, or one was retried). */
  wake(): void {
    this.pump.wake();
  }

  /** Resolves once a pass after this call found nothing more due and every attempt it started has ended (tests). */
  async drained(): Promise<void> {
    do {
      await this.pump.drained();
      await Promise.all(this.inFlight);
    } while (this.inFlight.size > 0);
  }

  /** Stops claiming; attempts in flight are cut short and recorded as failed (they are retried later). */
  async stop(): Promise<void> {
    await this.pump.stop();
    this.abort.abort();
    await Promise.all(this.inFlight);
  }

  /** Claims what there is room for and starts sending it; true when more may be due at once. */
  private async step(): Promise<boolean> {
    const room = this.concurrency - this.inFlight.size;
    if (room <= 0) return false;
    const claimed = await this.claim(room);
    for (const delivery of claimed) {
      const attempt: Promise<void> = this.attempt(delivery)
        .catch((err) => this.deps.log.error({ err, deliveryId: delivery.id }, "webhook attempt failed to record"))
        .finally(() => {
          this.inFlight.delete(attempt);
          this.pump.wake();
        });
      this.inFlight.add(attempt);
    }
    return claimed.length === room;
  }

  private async claim(limit: number): Promise<Claimed[]> {
    const { db, clock } = this.deps;
    const now = clock.now();
    const lockedUntil = now + this.leaseMs;

    if (this.deps.dialect === "postgres") {
      // Rows another worker is claiming right now are skipped, not waited for.
      return db.transaction().execute(async (trx) => {
        const rows = await trx
          .selectFrom("webhook_deliveries")
          .select("id")
          .where(isDue(now))
          .orderBy("next_attempt_at")
          .orderBy("id")
          .limit(limit)
          .forUpdate()
          .skipLocked()
          .execute();
        if (rows.length === 0) return [];
        const ids = rows.map((r) => r.id);
        return trx
          .updateTable("webhook_deliveries")
          .set({ locked_until: lockedUntil })
          .where("id", "in", ids)
          .returning(CLAIMED_COLUMNS)
          .execute();
      });
    }

    // SQLite: take each candidate with a conditional UPDATE; only the worker whose UPDATE changed
    // the row owns it (another may have claimed it since the SELECT).
    const candidates = await db
      .selectFrom("webhook_deliveries")
      .select("id")
      .where(isDue(now))
      .orderBy("next_attempt_at")
      .orderBy("id")
      .limit(limit)
      .execute();
    const claimed: Claimed[] = [];
    for (const { id } of candidates) {
      const row = await db
        .updateTable("webhook_deliveries")
        .set({ locked_until: lockedUntil })
        .where("id", "=", id)
        .where(isDue(now))
        .returning(CLAIMED_COLUMNS)
        .executeTakeFirst();
      if (row) claimed.push(row);
    }
    return claimed;
  }

  private async attempt(delivery: Claimed): Promise<void> {
    const { db, clock } = this.deps;
    const endpoint = await db
      .selectFrom("webhook_endpoints")
      .select(["url", "secret", "disabled_at"])
      .where("id", "=", delivery.endpoint_id)
      .executeTakeFirst();
    if (!endpoint || endpoint.disabled_at !== null) {
      await this.release(delivery, { status: "failed", last_error: "endpoint disabled" });
      return;
    }
    const at = clock.now();
    let outcome: SendOutcome;
    try {
      const target = await resolveDeliveryTarget(endpoint.url, this.deps.policy, this.deps.resolve);
      const timestamp = Math.floor(clock.now() / 1000);
      const headers = {
        "content-type": "application/json",
        "user-agent": "Threshold-Webhooks/1",
        "webhook-id": delivery.id,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": signWebhook(endpoint.secret, delivery.id, timestamp, delivery.payload),
      };
      outcome = await postWebhook(target, headers, delivery.payload, {
        timeoutMs: this.deps.timeoutMs,
        signal: this.abort.signal,
      });
    } catch (error) {
      const reason = error instanceof DeliveryRefused ? `not sent: ${error.message}` : String(error);
      outcome = { statusCode: null, error: reason, durationMs: 0 };
    }
    await this.record(delivery, at, outcome);
  }

  /** Logs the attempt and decides what comes next: done, another attempt later, or failed. */
  private async record(delivery: Claimed, at: number, outcome: SendOutcome): Promise<void> {
    const attempt = delivery.attempts + 1;
    const now = this.deps.clock.now();
    const error = outcome.error === null ? null : outcome.error.slice(0, MAX_ERROR_LENGTH);
    const delay = RETRY_DELAYS_MS[attempt - 1];
    const next =
      error === null
        ? { status: "succeeded", delivered_at: now }
        : delay === undefined
          ? { status: "failed" }
          : { status: "pending", next_attempt_at: now + delay };
    await this.deps.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable("webhook_deliveries")
        .set({
          ...next,
          attempts: attempt,
          last_status_code: outcome.statusCode,
          last_error: error,
          locked_until: null,
        })
        .where("id", "=", delivery.id)
        .where("attempts", "=", delivery.attempts)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) {
        // Only possible if this worker stalled past its lease and another recorded this attempt.
        this.deps.log.warn({ deliveryId: delivery.id, attempt }, "webhook attempt already recorded by another worker");
        return;
      }
      await trx
        .insertInto("webhook_attempts")
        .values({
          delivery_id: delivery.id,
          attempt,
          at,
          status_code: outcome.statusCode,
          error,
          duration_ms: outcome.durationMs,
        })
        .execute();
    });
    if (error !== null) {
      this.deps.log.info({ deliveryId: delivery.id, attempt, error, status: next.status }, "webhook attempt failed");
    }
  }

  private async release(delivery: Claimed, changes: { status: string; last_error: string }): Promise<void> {
    await this.deps.db
      .updateTable("webhook_deliveries")
      .set({ ...changes, locked_until: null })
      .where("id", "=", delivery.id)
      .where("attempts", "=", delivery.attempts)
      .execute();
  }
}

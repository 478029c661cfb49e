import { performance } from "node:perf_hooks";
import type { AuditEvent, Clock } from "@threshold/core";
import { newId } from "@threshold/core";
import type { Kysely, Transaction } from "kysely";
import type { Logger } from "pino";
import { type AuditLog, fromRow } from "../../audit/audit-log.js";
import type { Dialect } from "../../db/database.js";
import type { Database } from "../../db/schema.js";
import { isWebhookEventType, wants } from "../../modules/webhooks/event-types.js";
import { Pump } from "./pump.js";

/** The fan-out's row in worker_cursors: the seq of the last audit event it has turned into deliveries. */
export const FAN_OUT_CURSOR = "webhooks.fan_out";

const BATCH_SIZE = 500;
// Rows per INSERT, well under SQLite's limit on bound parameters.
const INSERT_CHUNK = 200;
/** How often, at most, the cursor is saved after batches that concern no endpoint. */
const CURSOR_SAVE_MS = 1_000;

export interface FanOutDeps {
  db: Kysely<Database>;
  dialect: Dialect;
  audit: AuditLog;
  clock: Clock;
  log: Logger;
  pollMs: number;
  /** Told after deliveries were committed, so the delivery worker sends them at once. */
  onEnqueued?: () => void;
}

/**
 * Turns audit events into webhook deliveries. It tails the audit log from a cursor kept in the
 * database, and inserts a batch's deliveries and advances the cursor in one transaction, so a
 * crash neither loses an event nor enqueues one twice. The cursor row is locked for the
 * transaction, so any number of processes may run it; a unique index on (endpoint, audit event)
 * backs that up. Woken by each append, and by a poll for appends made by other processes.
 *
 * Most events concern no endpoint. A batch that yields no delivery is only remembered in memory,
 * and the stored cursor catches up at most once per CURSOR_SAVE_MS (and on stop): a busy log
 * costs no write per batch, and after a crash those events are merely looked at again.
 */
export class WebhookFanOut {
  private readonly pump: Pump;
  private readonly onAppended = () => this.pump.wake();
  /** Events up to this seq have been looked at and concern no endpoint. */
  private scanned = 0;
  private savedAt = 0;

  constructor(private readonly deps: FanOutDeps) {
    this.pump = new Pump("webhook fan-out", async () => (await this.runOnce()) === BATCH_SIZE, deps.pollMs, deps.log);
  }

  start(): void {
    this.deps.audit.on("appended", this.onAppended);
    this.pump.start();
  }

  wake(): void {
    this.pump.wake();
  }

  /** Resolves once a pass after this call has enqueued everything appended before it (tests). */
  drained(): Promise<void> {
    return this.pump.drained();
  }

  async stop(): Promise<void> {
    this.deps.audit.off("appended", this.onAppended);
    await this.pump.stop();
    await this.saveScanned(await this.storedPosition(), true).catch((err) =>
      this.deps.log.warn({ err }, "could not save the webhook fan-out cursor"),
    );
  }

  /** Fans out one batch of audit events; returns how many it consumed (0 when caught up). */
  async runOnce(): Promise<number> {
    const { db, clock } = this.deps;
    const stored = await this.storedPosition();
    // Reads outside any transaction first: polling an idle log, or one no endpoint cares about, writes nothing.
    const rows = await db
      .selectFrom("audit_events")
      .selectAll()
      .where("seq", ">", Math.max(stored, this.scanned))
      .orderBy("seq")
      .limit(BATCH_SIZE)
      .execute();
    const last = rows.at(-1);
    if (!last) {
      await this.saveScanned(stored);
      return 0;
    }
    if ((await this.deliveriesFor(db, this.parse(rows))).length === 0) {
      this.scanned = last.seq;
      await this.saveScanned(stored);
      return rows.length;
    }

    const { consumed, enqueued, position } = await db.transaction().execute(async (trx) => {
      // What this process already scanned without result needs no second look.
      const from = Math.max(await this.lockCursor(trx), this.scanned);
      const batch = await trx
        .selectFrom("audit_events")
        .selectAll()
        .where("seq", ">", from)
        .orderBy("seq")
        .limit(BATCH_SIZE)
        .execute();
      const end = batch.at(-1);
      if (!end) return { consumed: 0, enqueued: 0, position: from };
      const deliveries = await this.deliveriesFor(trx, this.parse(batch));
      for (let i = 0; i < deliveries.length; i += INSERT_CHUNK) {
        await trx
          .insertInto("webhook_deliveries")
          .values(deliveries.slice(i, i + INSERT_CHUNK))
          .onConflict((oc) => oc.columns(["endpoint_id", "audit_event_id"]).doNothing())
          .execute();
      }
      await trx
        .updateTable("worker_cursors")
        .set({ position: end.seq, updated_at: clock.now() })
        .where("name", "=", FAN_OUT_CURSOR)
        .execute();
      return { consumed: batch.length, enqueued: deliveries.length, position: end.seq };
    });
    this.scanned = Math.max(this.scanned, position);
    if (enqueued > 0) {
      this.deps.log.debug({ enqueued }, "webhook deliveries enqueued");
      this.deps.onEnqueued?.();
    }
    return consumed;
  }

  /**
   * Audit rows as events. A row whose data no longer parses (someone edited the table; `audit
   * verify` names it) is skipped with an error, rather than stopping every webhook behind it.
   */
  private parse(rows: Database["audit_events"][]): AuditEvent[] {
    const events: AuditEvent[] = [];
    for (const row of rows) {
      try {
        events.push(fromRow(row));
      } catch (err) {
        this.deps.log.error({ err, auditSeq: row.seq }, "unreadable audit event skipped by the webhook fan-out");
      }
    }
    return events;
  }

  /** The stored cursor; created at the start of the log the first time (endpoints skip what precedes them). */
  private async storedPosition(): Promise<number> {
    const { db, clock } = this.deps;
    const cursor = await db
      .selectFrom("worker_cursors")
      .select("position")
      .where("name", "=", FAN_OUT_CURSOR)
      .executeTakeFirst();
    if (cursor) return cursor.position;
    await db
      .insertInto("worker_cursors")
      .values({ name: FAN_OUT_CURSOR, position: 0, updated_at: clock.now() })
      .onConflict((oc) => oc.column("name").doNothing())
      .execute();
    return 0;
  }

  /** Moves the stored cursor up to what was scanned without result, at most once per CURSOR_SAVE_MS. */
  private async saveScanned(stored: number, now = false): Promise<void> {
    if (this.scanned <= stored) return;
    if (!now && performance.now() - this.savedAt < CURSOR_SAVE_MS) return;
    this.savedAt = performance.now();
    await this.deps.db
      .updateTable("worker_cursors")
      .set({ position: this.scanned, updated_at: this.deps.clock.now() })
      .where("name", "=", FAN_OUT_CURSOR)
      .where("position", "<", this.scanned)
      .execute();
  }

  /** Locks the cursor row until commit and reads it; concurrent fan-outs wait here. */
  private async lockCursor(trx: Transaction<Database>): Promise<number> {
    const query = trx.selectFrom("worker_cursors").select("position").where("name", "=", FAN_OUT_CURSOR);
    if (this.deps.dialect === "postgres") return (await query.forUpdate().executeTakeFirstOrThrow()).position;
    // SQLite locks the whole database for writing; writing first takes that lock at once, rather
    // than upgrading from a read later (which fails when another connection wrote in between).
    await trx
      .updateTable("worker_cursors")
      .set({ updated_at: this.deps.clock.now() })
      .where("name", "=", FAN_OUT_CURSOR)
      .execute();
    return (await query.executeTakeFirstOrThrow()).position;
  }

  private async deliveriesFor(trx: Kysely<Database>, events: AuditEvent[]): Promise<Database["webhook_deliveries"][]> {
    const relevant: { event: AuditEvent; carrierId: string }[] = [];
    for (const event of events) {
      if (!isWebhookEventType(event.type)) continue;
      const carrierId = await carrierOf(trx, event);
      if (carrierId) relevant.push({ event, carrierId });
      else this.deps.log.warn({ auditSeq: event.seq, type: event.type }, "no carrier found for a webhook event");
    }
    if (relevant.length === 0) return [];

    const carrierIds = [...new Set(relevant.map((r) => r.carrierId))];
    const endpoints = await trx
      .selectFrom("webhook_endpoints")
      .select(["id", "carrier_id", "event_types", "after_seq"])
      .where("carrier_id", "in", carrierIds)
      .where("disabled_at", "is", null)
      .execute();
    const now = this.deps.clock.now();
    const deliveries: Database["webhook_deliveries"][] = [];
    for (const { event, carrierId } of relevant) {
      let payload: string | null = null;
      for (const endpoint of endpoints) {
        if (endpoint.carrier_id !== carrierId || event.seq <= endpoint.after_seq) continue;
        if (!wants(JSON.parse(endpoint.event_types) as string[], event.type)) continue;
        payload ??= webhookPayload(event);
        deliveries.push({
          id: newId("webhookMessage", now),
          endpoint_id: endpoint.id,
          event_type: event.type,
          payload,
          status: "pending",
          attempts: 0,
          next_attempt_at: now,
          locked_until: null,
          last_status_code: null,
          last_error: null,
          created_at: now,
          delivered_at: null,
          audit_event_id: event.id,
          audit_seq: event.seq,
        });
      }
    }
    return deliveries;
  }
}

/**
 * The carrier an event concerns: `carrierId` in its data (shipments and visits write it), else
 * the carrier of the shipment, visit or incident it is about.
 */
async function carrierOf(trx: Kysely<Database>, event: AuditEvent): Promise<string | null> {
  const { carrierId, shipmentId, visitId } = event.data;
  if (typeof carrierId === "string") return carrierId;
  const visitOf = (id: string) => trx.selectFrom("visits").select("carrier_id").where("id", "=", id).executeTakeFirst();
  const shipmentOf = (id: string) =>
    trx.selectFrom("shipments").select("carrier_id").where("id", "=", id).executeTakeFirst();
  let row: { carrier_id: string } | undefined;
  if (event.subjectType === "shipment") row = await shipmentOf(event.subjectId);
  else if (event.subjectType === "visit") row = await visitOf(event.subjectId);
  else if (event.subjectType === "incident") {
    row = await trx
      .selectFrom("incidents")
      .innerJoin("visits", "visits.id", "incidents.visit_id")
      .select("visits.carrier_id")
      .where("incidents.id", "=", event.subjectId)
      .executeTakeFirst();
  }
  if (!row && typeof visitId === "string") row = await visitOf(visitId);
  if (!row && typeof shipmentId === "string") row = await shipmentOf(shipmentId);
  return row?.carrier_id ?? null;
}

const SUBJECT_ID_KEYS: Record<string, string> = { shipment: "shipmentId", visit: "visitId", incident: "incidentId" };

/**
 * The body sent to receivers, Standard Webhooks style: `{ type, timestamp, data }`. `data` is the
 * audit event's data, plus the id of its subject when the data does not name it, and where the
 * event sits in the audit chain (so a receiver can ask for the proof).
 */
export function webhookPayload(event: AuditEvent): string {
  const data: Record<string, unknown> = { ...event.data };
  const subjectKey = SUBJECT_ID_KEYS[event.subjectType];
  if (subjectKey && data[subjectKey] === undefined) data[subjectKey] = event.subjectId;
  data.auditSeq = event.seq;
  data.auditEventId = event.id;
  return JSON.stringify({ type: event.type, timestamp: new Date(event.at).toISOString(), data });
}

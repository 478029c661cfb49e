import { EventEmitter } from "node:events";
import {
  type AuditEvent,
  type ChainProblem,
  ChainVerifier,
  type Clock,
  type EventType,
  hashAuditEvent,
  newId,
} from "@threshold/core";
import { type Kysely, sql, type Transaction } from "kysely";
import type { Dialect } from "../db/database.js";
import type { Database } from "../db/schema.js";

/** Who caused a change: a person, a carrier's integration, a device, or Threshold itself. */
export interface AuditActor {
  type: "user" | "api_key" | "device" | "system";
  id: string | null;
}

export const SYSTEM_ACTOR: AuditActor = { type: "system", id: null };

export interface AuditInput {
  /** `<subject>.<what happened>`, e.g. visit.opened, shipment.delivered: one of EVENT_TYPES. */
  type: EventType;
  subjectType: string;
  subjectId: string;
  /** The site the fact concerns; recipients read the events of their own sites. */
  siteId?: string | null;
  actor: AuditActor;
  data?: Record<string, unknown>;
}

export type Record_ = (event: AuditInput) => void;

type Work<T> = (trx: Transaction<Database>, record: Record_) => Promise<T>;

interface Unit {
  work: Work<unknown>;
  resolve: (outcome: { result: unknown; appended: AuditEvent[] }) => void;
  reject: (error: unknown) => void;
}

interface ChainHead {
  seq: number;
  hash: string;
}

/** How many queued units one SQLite transaction takes at most, so no caller waits behind too many. */
const MAX_GROUP = 64;

/**
 * The append-only, hash-chained audit log (DESIGN.md rule 4). Every state change is recorded in
 * the same transaction as the change itself, so a fact and its record commit together or not at
 * all. Appends lock the chain's head row, so any number of processes append in one order.
 *
 * On SQLite (one writer connection) concurrent units of work are committed in groups: the units
 * queued while a group runs form the next one, each unit runs in its own savepoint (a unit that
 * fails is rolled back alone and its caller gets the error), the group reads and writes the
 * chain's head once and commits once, and every caller is answered after that one commit is
 * durable. Each caller sees exactly what it would with a transaction of its own.
 */
export class AuditLog extends EventEmitter<{ appended: [AuditEvent[]] }> {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    private readonly clock: Clock,
    /** Waits until commits are on disk (group commit on SQLite); audited facts are acknowledged only then. */
    private readonly durable: () => Promise<void> = () => Promise.resolve(),
  ) {
    super();
    this.setMaxListeners(0);
  }

  /**
   * Runs `work` in a transaction; the events it records are chained and committed with it, then
   * announced to listeners (live streams, webhooks).
   */
  async transaction<T>(work: Work<T>): Promise<T> {
    return (await this.run(work)).result;
  }

  /** Records facts on their own, for changes made outside a transaction of ours. */
  async record(...events: AuditInput[]): Promise<AuditEvent[]> {
    return (
      await this.run(async (_trx, record) => {
        for (const event of events) record(event);
      })
    ).appended;
  }

  private readonly queue: Unit[] = [];
  private draining = false;

  private run<T>(work: Work<T>): Promise<{ result: T; appended: AuditEvent[] }> {
    if (this.dialect === "postgres") return this.runAlone(work);
    return new Promise((resolve, reject) => {
      this.queue.push({ work, resolve, reject } as Unit);
      if (!this.draining) void this.drain();
    });
  }

  /** PostgreSQL: a transaction per unit; the head row's lock orders appends across connections and processes. */
  private async runAlone<T>(work: Work<T>): Promise<{ result: T; appended: AuditEvent[] }> {
    const pending: AuditInput[] = [];
    const outcome = await this.db.transaction().execute(async (trx) => {
      const result = await work(trx, (event) => pending.push(event));
      if (pending.length === 0) return { result, appended: [] };
      const head = await trx
        .selectFrom("audit_head")
        .select(["seq", "hash"])
        .where("id", "=", 1)
        .forUpdate()
        .executeTakeFirstOrThrow();
      const appended = this.chain(head, pending);
      await this.store(trx, appended);
      return { result, appended };
    });
    // Nothing the transaction did is acknowledged, announced or acted on until it is on disk.
    await this.durable();
    if (outcome.appended.length > 0) this.emit("appended", outcome.appended);
    return outcome;
  }

  /** SQLite: runs queued units in groups, one transaction and one durable commit per group. */
  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) await this.runGroup(this.queue.splice(0, MAX_GROUP));
    } finally {
      this.draining = false;
    }
  }

  private async runGroup(group: Unit[]): Promise<void> {
    const settled: (
      | { unit: Unit; ok: true; result: unknown; appended: AuditEvent[] }
      | { unit: Unit; ok: false; error: unknown }
    )[] = [];
    try {
      await this.db.transaction().execute(async (trx) => {
        let head: ChainHead | null = null;
        // A unit alone needs no savepoint: if it fails, rolling back the transaction undoes just it.
        const isolate = group.length > 1;
        for (const unit of group) {
          const pending: AuditInput[] = [];
          if (isolate) await sql`savepoint unit`.execute(trx);
          try {
            const result = await unit.work(trx, (event) => pending.push(event));
            let appended: AuditEvent[] = [];
            if (pending.length > 0) {
              head ??= await trx
                .selectFrom("audit_head")
                .select(["seq", "hash"])
                .where("id", "=", 1)
                .executeTakeFirstOrThrow();
              appended = this.chain(head, pending);
              await trx.insertInto("audit_events").values(appended.map(toRow)).execute();
            }
            if (isolate) await sql`release unit`.execute(trx);
            head = appended[appended.length - 1] ?? head;
            settled.push({ unit, ok: true, result, appended });
          } catch (error) {
            if (!isolate) throw error;
            // This unit alone is undone; the group goes on without it.
            await sql`rollback to unit`.execute(trx);
            await sql`release unit`.execute(trx);
            settled.push({ unit, ok: false, error });
          }
        }
        // Set once a unit tried to append; rewriting a head that a rollback left unchanged is harmless.
        if (head) {
          await trx.updateTable("audit_head").set({ seq: head.seq, hash: head.hash }).where("id", "=", 1).execute();
        }
      });
      // Nothing the group did is acknowledged, announced or acted on until it is on disk.
      await this.durable();
    } catch (error) {
      // The transaction failed (or the lone unit did): nothing of the group is stored, and every caller learns why.
      for (const unit of group) unit.reject(error);
      return;
    }
    const appended = settled.flatMap((s) => (s.ok ? s.appended : []));
    if (appended.length > 0) this.emit("appended", appended);
    for (const s of settled) {
      if (s.ok) s.unit.resolve({ result: s.result, appended: s.appended });
      else s.unit.reject(s.error);
    }
  }

  /** Hashes `inputs` into the chain after `head`. */
  private chain(head: ChainHead, inputs: AuditInput[]): AuditEvent[] {
    const at = this.clock.now();
    const events: AuditEvent[] = [];
    let prev = head;
    for (const input of inputs) {
      const unhashed = {
        seq: prev.seq + 1,
        id: newId("event", at),
        at,
        type: input.type,
        subjectType: input.subjectType,
        subjectId: input.subjectId,
        siteId: input.siteId ?? null,
        actorType: input.actor.type,
        actorId: input.actor.id,
        data: input.data ?? {},
        prevHash: prev.hash,
      };
      const event: AuditEvent = { ...unhashed, hash: hashAuditEvent(unhashed) };
      events.push(event);
      prev = event;
    }
    return events;
  }

  /** Stores events and moves the head to the last of them. */
  private async store(trx: Transaction<Database>, events: AuditEvent[]): Promise<void> {
    const last = events[events.length - 1] as AuditEvent;
    await trx.insertInto("audit_events").values(events.map(toRow)).execute();
    await trx.updateTable("audit_head").set({ seq: last.seq, hash: last.hash }).where("id", "=", 1).execute();
  }

  /** Events after `afterSeq`, oldest first. */
  async since(afterSeq: number, limit = 500): Promise<AuditEvent[]> {
    const rows = await this.db
      .selectFrom("audit_events")
      .selectAll()
      .where("seq", ">", afterSeq)
      .orderBy("seq")
      .limit(limit)
      .execute();
    return rows.map(fromRow);
  }

  /**
   * Re-walks the whole chain and compares its end with the head row; reports the first problem.
   * `onProgress` hears how many events were checked, page by page.
   */
  async verify(
    onProgress?: (checked: number) => void,
  ): Promise<
    | { ok: true; checked: number }
    | { ok: false; checked: number; problem: ChainProblem | { kind: "head_mismatch"; seq: number } }
  > {
    // The head is read first: appends that commit during the walk extend the chain past it and
    // are left for the next verification, instead of looking like a truncated chain.
    const head = await this.db.selectFrom("audit_head").selectAll().where("id", "=", 1).executeTakeFirstOrThrow();
    const verifier = new ChainVerifier();
    let after = 0;
    for (;;) {
      const rows = await this.db
        .selectFrom("audit_events")
        .selectAll()
        .where("seq", ">", after)
        .where("seq", "<=", head.seq)
        .orderBy("seq")
        .limit(5_000)
        .execute();
      for (const row of rows) {
        const problem = verifier.next(fromRow(row));
        if (problem) return { ok: false, checked: verifier.checked, problem };
      }
      if (rows.length === 0) break;
      after = (rows[rows.length - 1] as { seq: number }).seq;
      onProgress?.(verifier.checked);
    }
    // Deleting the newest events leaves a clean but shorter chain; the head row still remembers the end.
    if (head.seq !== verifier.head.seq || head.hash !== verifier.head.hash) {
      return { ok: false, checked: verifier.checked, problem: { kind: "head_mismatch", seq: verifier.head.seq + 1 } };
    }
    return { ok: true, checked: verifier.checked };
  }
}

function toRow(event: AuditEvent): Database["audit_events"] {
  return {
    seq: event.seq,
    id: event.id,
    at: event.at,
    type: event.type,
    subject_type: event.subjectType,
    subject_id: event.subjectId,
    site_id: event.siteId,
    actor_type: event.actorType,
    actor_id: event.actorId,
    data: JSON.stringify(event.data),
    prev_hash: event.prevHash,
    hash: event.hash,
  };
}

export function fromRow(row: Database["audit_events"]): AuditEvent {
  return {
    seq: row.seq,
    id: row.id,
    at: row.at,
    type: row.type,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    siteId: row.site_id,
    actorType: row.actor_type,
    actorId: row.actor_id,
    data: JSON.parse(row.data) as Record<string, unknown>,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

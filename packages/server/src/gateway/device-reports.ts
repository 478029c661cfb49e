import type { Kysely, Updateable } from "kysely";
import type { Dialect } from "../db/database.js";
import type { Database } from "../db/schema.js";

type DevicePatch = Updateable<Database["devices"]>;
type DeviceEventRow = Database["device_events"];

interface Batch {
  patches: Map<string, DevicePatch>;
  events: DeviceEventRow[];
  eventKeys: Set<string>;
  done: Promise<Set<string>>;
  resolve: (stored: Set<string>) => void;
  reject: (error: unknown) => void;
}

/**
 * Writes what devices report — state, liveness, events — in batches: everything that arrives
 * while one batch is being written goes into the next. On SQLite a batch is one transaction, so
 * thousands of devices reporting at once cost a few commits a second instead of one each.
 *
 * Order is kept: batches are written one after another, patches of one device merge in arrival
 * order (the last value of each column wins), and events are inserted in arrival order. A caller
 * awaiting its write knows that it, and everything reported before it, is stored.
 */
export class DeviceReportWriter {
  private next: Batch | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  /** Updates a device's row; resolves once stored. */
  async patch(deviceId: string, patch: DevicePatch): Promise<void> {
    const batch = this.batch();
    batch.patches.set(deviceId, { ...batch.patches.get(deviceId), ...patch });
    await batch.done;
  }

  /** Stores a device event; resolves true if it was new, false for a redelivered one (same device and id). */
  async event(row: DeviceEventRow): Promise<boolean> {
    const batch = this.batch();
    const key = eventKey(row.device_id, row.id);
    // The same event twice in one batch: the first is the one stored and announced.
    const first = !batch.eventKeys.has(key);
    if (first) {
      batch.eventKeys.add(key);
      batch.events.push(row);
    }
    const stored = await batch.done;
    return first && stored.has(key);
  }

  /** Resolves when everything reported so far is written. */
  async idle(): Promise<void> {
    while (this.next) await this.next.done.catch(() => undefined);
    await this.writing;
  }

  private batch(): Batch {
    if (this.next) return this.next;
    let resolve!: Batch["resolve"];
    let reject!: Batch["reject"];
    const done = new Promise<Set<string>>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Every caller awaits `done`, but a failed batch must not also surface as an unhandled rejection.
    done.catch(() => undefined);
    const batch: Batch = { patches: new Map(), events: [], eventKeys: new Set(), done, resolve, reject };
    this.next = batch;
    // The batch stays open for the rest of this turn of the event loop and until the previous write ends.
    this.writing = this.writing.then(
      () =>
        new Promise<void>((settled) => {
          setImmediate(() => {
            this.next = null;
            this.write(batch).then(
              (stored) => {
                batch.resolve(stored);
                settled();
              },
              (error: unknown) => {
                batch.reject(error);
                settled();
              },
            );
          });
        }),
    );
    return batch;
  }

  private async write(batch: Batch): Promise<Set<string>> {
    // SQLite has one writer: a transaction makes the batch one commit. PostgreSQL writes
    // concurrently: there each statement commits alone, so a batch never holds one device's row
    // while waiting for another's (no deadlock with, say, an access point holding its devices).
    if (this.dialect === "postgres") return this.writeStatements(this.db, batch);
    return this.db.transaction().execute((trx) => this.writeStatements(trx, batch));
  }

  private async writeStatements(db: Kysely<Database>, batch: Batch): Promise<Set<string>> {
    const stored = new Set<string>();
    for (const [deviceId, patch] of batch.patches) {
      await db.updateTable("devices").set(patch).where("id", "=", deviceId).execute();
    }
    // A redelivered event (QoS 1 allows duplicates) is stored once; RETURNING names the new ones.
    for (let i = 0; i < batch.events.length; i += EVENTS_PER_INSERT) {
      const rows = await db
        .insertInto("device_events")
        .values(batch.events.slice(i, i + EVENTS_PER_INSERT))
        .onConflict((oc) => oc.columns(["device_id", "id"]).doNothing())
        .returning(["device_id", "id"])
        .execute();
      for (const row of rows) stored.add(eventKey(row.device_id, row.id));
    }
    return stored;
  }
}

/** 8 columns per row: 100 rows stay far below SQLite's and PostgreSQL's bound-parameter limits. */
const EVENTS_PER_INSERT = 100;

const eventKey = (deviceId: string, eventId: string) => `${deviceId}\u0000${eventId}`;

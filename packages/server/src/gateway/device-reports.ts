import type { Kysely, Updateable } from "kysely";
import type { Dialect } from "../db/database.js";
import type { Database } from "../db/schema.js";
import { TurnBatcher } from "../db/turn-batcher.js";

type DevicePatch = Updateable<Database["devices"]>;
type DeviceEventRow = Database["device_events"];

type Report = { kind: "patch"; deviceId: string; patch: DevicePatch } | { kind: "event"; row: DeviceEventRow };

/**
 * Writes what devices report — state, liveness, events — in batches (TurnBatcher): everything
 * that arrives while one batch is being written goes into the next. On SQLite a batch is one
 * transaction, so thousands of devices reporting at once cost a few commits a second instead of
 * one each.
 *
 * Order is kept: batches are written one after another, patches of one device merge in arrival
 * order (the last value of each column wins), and events are inserted in arrival order. A caller
 * awaiting its write knows that it, and everything reported before it, is stored.
 */
export class DeviceReportWriter {
  private readonly batcher: TurnBatcher<Report, boolean>;

  constructor(db: Kysely<Database>, dialect: Dialect) {
    // SQLite has one writer: a transaction makes the batch one commit. PostgreSQL writes
    // concurrently: there each statement commits alone, so a batch never holds one device's row
    // while waiting for another's (no deadlock with, say, an access point holding its devices).
    this.batcher = new TurnBatcher((reports) =>
      dialect === "postgres"
        ? writeReports(db, reports)
        : db.transaction().execute((trx) => writeReports(trx, reports)),
    );
  }

  /** Updates a device's row; resolves once stored. */
  async patch(deviceId: string, patch: DevicePatch): Promise<void> {
    await this.batcher.add({ kind: "patch", deviceId, patch });
  }

  /** Stores a device event; resolves true if it was new, false for a redelivered one (same device and id). */
  event(row: DeviceEventRow): Promise<boolean> {
    return this.batcher.add({ kind: "event", row });
  }

  /** Resolves when everything reported so far is written. */
  idle(): Promise<void> {
    return this.batcher.idle();
  }
}

/** One batch's statements; per report, whether it was stored (false for an event seen before). */
async function writeReports(db: Kysely<Database>, reports: readonly Report[]): Promise<boolean[]> {
  const patches = new Map<string, DevicePatch>();
  const events: DeviceEventRow[] = [];
  // Per report, the key of the event it may announce: null for a patch, and for the same event
  // seen again in this batch (the first is the one stored and announced).
  const announces: (string | null)[] = [];
  const seen = new Set<string>();
  for (const report of reports) {
    if (report.kind === "patch") {
      patches.set(report.deviceId, { ...patches.get(report.deviceId), ...report.patch });
      announces.push(null);
      continue;
    }
    const key = eventKey(report.row.device_id, report.row.id);
    if (seen.has(key)) {
      announces.push(null);
      continue;
    }
    seen.add(key);
    announces.push(key);
    events.push(report.row);
  }
  for (const [deviceId, patch] of patches) {
    await db.updateTable("devices").set(patch).where("id", "=", deviceId).execute();
  }
  // A redelivered event (QoS 1 allows duplicates) is stored once; RETURNING names the new ones.
  const stored = new Set<string>();
  for (let i = 0; i < events.length; i += EVENTS_PER_INSERT) {
    const rows = await db
      .insertInto("device_events")
      .values(events.slice(i, i + EVENTS_PER_INSERT))
      .onConflict((oc) => oc.columns(["device_id", "id"]).doNothing())
      .returning(["device_id", "id"])
      .execute();
    for (const row of rows) stored.add(eventKey(row.device_id, row.id));
  }
  return reports.map((report, i) => {
    if (report.kind === "patch") return true;
    const key = announces[i];
    return key !== null && key !== undefined && stored.has(key);
  });
}

/** 8 columns per row: 100 rows stay far below SQLite's and PostgreSQL's bound-parameter limits. */
const EVENTS_PER_INSERT = 100;

const eventKey = (deviceId: string, eventId: string) => `${deviceId}\u0000${eventId}`;

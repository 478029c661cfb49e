import type { Kysely } from "kysely";
import type { Dialect } from "../../db/database.js";
import type { Database } from "../../db/schema.js";
import { TurnBatcher } from "../../db/turn-batcher.js";
import { linkSegmentToClips } from "./clip-links.js";
import { insertSegmentIfFree, type SegmentValues } from "./repository.js";

/**
 * Stores the rows of uploaded segments and links each to the clip windows it overlaps. On SQLite
 * the uploads that finish their checks in one turn of the event loop share one transaction: 500
 * cameras uploading every 2 s cost a few commits a second instead of two per segment, which the
 * one connection would otherwise spend the event loop on. On PostgreSQL each segment's statements
 * run on their own, concurrently.
 */
export class SegmentRows {
  private readonly batcher: TurnBatcher<SegmentValues, boolean> | null;

  constructor(
    private readonly db: Kysely<Database>,
    dialect: Dialect,
    private readonly maxClipMs: number,
  ) {
    this.batcher =
      dialect === "sqlite"
        ? new TurnBatcher((rows) => db.transaction().execute((trx) => this.storeEach(trx, rows)))
        : null;
  }

  /**
   * Stores the row and its clip links; false when another upload already holds its place in the
   * camera's chain (the unique (device_id, position)): then nothing of it is stored.
   */
  store(row: SegmentValues): Promise<boolean> {
    return this.batcher ? this.batcher.add(row) : this.storeOne(this.db, row);
  }

  private async storeEach(db: Kysely<Database>, rows: readonly SegmentValues[]): Promise<boolean[]> {
    const stored: boolean[] = [];
    for (const row of rows) stored.push(await this.storeOne(db, row));
    return stored;
  }

  private async storeOne(db: Kysely<Database>, row: SegmentValues): Promise<boolean> {
    if (!(await insertSegmentIfFree(db, row))) return false;
    await linkSegmentToClips(
      db,
      { id: row.id, deviceId: row.device_id, startedAt: row.started_at, durationMs: row.duration_ms },
      this.maxClipMs,
    );
    return true;
  }
}

const writers = new WeakMap<Kysely<Database>, SegmentRows>();

/** The database's one SegmentRows: batches only form when every upload goes through the same one. */
export function segmentRowsOf(db: Kysely<Database>, dialect: Dialect, maxClipMs: number): SegmentRows {
  let rows = writers.get(db);
  if (!rows) {
    rows = new SegmentRows(db, dialect, maxClipMs);
    writers.set(db, rows);
  }
  return rows;
}

import type { Clock } from "@threshold/core";
import type { ExpressionBuilder, Kysely } from "kysely";
import type { Logger } from "pino";
import type { Config } from "../../config.js";
import type { Database } from "../../db/schema.js";
import type { MediaStore } from "../../media/index.js";
import { Pump } from "../webhooks/pump.js";

export interface MediaRetentionOptions {
  db: Kysely<Database>;
  store: MediaStore;
  clock: Clock;
  log: Logger;
  retention: Pick<Config["media"], "liveRetentionMs" | "clipRetentionMs">;
  /** How often to look for expired segments. */
  pollMs?: number;
  /** Segments deleted per step; a step repeats at once while it finds a full batch. */
  batchSize?: number;
}

/** The clip links of the segment `s` in the retention query. */
function inAClip(eb: ExpressionBuilder<SegmentsWithDevice, "s" | "d">) {
  return eb.selectFrom("visit_clip_segments as c").select("c.segment_id").whereRef("c.segment_id", "=", "s.id");
}

type SegmentsWithDevice = Database & { s: Database["video_segments"]; d: Database["devices"] };

/**
 * Deletes expired video: segments in no visit's clip after MEDIA_LIVE_RETENTION_S, a visit's
 * clip segments after MEDIA_CLIP_RETENTION_DAYS, both counted from arrival (the server's clock).
 * The file goes first, then the row: a crash in between leaves a row whose file is gone (served as
 * a 404 and deleted on the next pass), never an orphan file nobody knows of.
 *
 * A working camera's newest segment is kept past its expiry: it is the link the camera's next
 * upload must extend, and what proves an old stream is not new (chain-position.ts). Deleting is
 * idempotent, so any number of server processes may run this worker at once.
 */
export class MediaRetentionWorker {
  private readonly pump: Pump;
  private readonly batchSize: number;

  constructor(private readonly options: MediaRetentionOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.pump = new Pump(
      "media-retention",
      async () => (await this.deleteExpired()) === this.batchSize,
      options.pollMs ?? 10_000,
      options.log,
    );
  }

  start(): void {
    this.pump.start();
  }

  stop(): Promise<void> {
    return this.pump.stop();
  }

  /** Deletes one batch of expired segments; returns how many. */
  async deleteExpired(): Promise<number> {
    const { db, store, clock, retention } = this.options;
    const now = clock.now();
    const liveCutoff = now - retention.liveRetentionMs;
    const clipCutoff = now - retention.clipRetentionMs;
    const expired = await db
      .selectFrom("video_segments as s")
      .innerJoin("devices as d", "d.id", "s.device_id")
      .select(["s.id", "s.media_key"])
      .where((eb) =>
        eb.and([
          eb.or([
            eb.and([eb.not(eb.exists(inAClip(eb))), eb("s.received_at", "<", liveCutoff)]),
            eb.and([eb.exists(inAClip(eb)), eb("s.received_at", "<", clipCutoff)]),
          ]),
          eb.or([
            eb("d.removed_at", "is not", null),
            eb(
              "s.position",
              "<",
              eb
                .selectFrom("video_segments as n")
                .select((e) => e.fn.max("n.position").as("newest"))
                .whereRef("n.device_id", "=", "s.device_id"),
            ),
          ]),
        ]),
      )
      .orderBy("s.received_at")
      .limit(this.batchSize)
      .execute();
    if (expired.length === 0) return 0;
    for (const segment of expired) await store.delete(segment.media_key);
    const ids = expired.map((segment) => segment.id);
    await db.deleteFrom("visit_clip_segments").where("segment_id", "in", ids).execute();
    await db
      .deleteFrom("video_segments")
      .where(
        "id",
        "in",
        expired.map((segment) => segment.id),
      )
      .execute();
    this.options.log.debug({ deleted: expired.length }, "expired video segments deleted");
    return expired.length;
  }
}

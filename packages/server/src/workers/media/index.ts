import type { AppContext } from "../../context.js";
import { openMediaStore } from "../../media/index.js";
import { MediaRetentionWorker } from "./retention-worker.js";

/** Temporary files of writes older than this were abandoned by a process that died mid-write. */
const ABANDONED_WRITE_MS = 3_600_000;

/** Starts the retention worker of the media store; every server process runs it. */
export function startMediaWorkers(ctx: Pick<AppContext, "db" | "clock" | "log" | "config">): {
  retention: MediaRetentionWorker;
  stop(): Promise<void>;
} {
  const log = ctx.log.child({ worker: "media" });
  const store = openMediaStore(ctx.config);
  const retention = new MediaRetentionWorker({ db: ctx.db, store, clock: ctx.clock, log, retention: ctx.config.media });
  // File times are the real clock's, so this compares with Date.now(), not the injected clock.
  const cleanup = store
    .removeAbandonedWrites(Date.now(), ABANDONED_WRITE_MS)
    .catch((err) => log.warn({ err }, "could not clear abandoned media writes"));
  retention.start();
  return {
    retention,
    stop: async () => {
      await retention.stop();
      await cleanup;
    },
  };
}

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Clock } from "@threshold/core";
import { lookUpFfmpeg } from "@threshold/devices";
import type { Logger } from "pino";
import { type Config, loadConfig } from "../config.js";
import type { DemoKeypad, DemoLocker, DemoLogins } from "../context.js";
import { createLogger } from "../logging/index.js";
import { type ServerHandle, startServer } from "../server.js";
import { createPostgresDatabase } from "./databases.js";

export interface TestServer extends ServerHandle {
  dataDir: string;
  config: Config;
  /** Stops the server; the data directory and database stay, so a test can start it again. */
  stop(): Promise<void>;
  /** Stops the server and deletes everything it stored. */
  destroy(): Promise<void>;
}

export interface TestServerOptions {
  database: "sqlite" | "postgres";
  clock?: Clock;
  env?: Record<string, string>;
  /** Reuse the storage of an earlier server (to test restarts). */
  reuse?: Pick<TestServer, "dataDir" | "config">;
  /** Demo logins, as `threshold demo` passes them. */
  demo?: DemoLogins;
  /** The demo's simulated keypads, as `threshold demo` passes them. */
  demoKeypad?: DemoKeypad;
  /** Hands at the demo's simulated locker banks, as `threshold demo` passes them. */
  demoLocker?: DemoLocker;
  /** A logger of the test's own (to read what the server logs); by default the server's, silent unless TEST_LOG. */
  log?: Logger;
}

/**
 * A real server on loopback: real database (a temp SQLite file or a fresh PostgreSQL database),
 * real embedded broker, ephemeral ports. Logs stay quiet unless TEST_LOG is set.
 */
export async function startTestServer(options: TestServerOptions): Promise<TestServer> {
  let dataDir: string;
  let databaseUrl: string | undefined;
  let dropDatabase: (() => Promise<void>) | undefined;
  if (options.reuse) {
    dataDir = options.reuse.dataDir;
    databaseUrl = options.reuse.config.databaseUrl ?? undefined;
  } else {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "threshold-test-"));
    if (options.database === "postgres") {
      const created = await createPostgresDatabase();
      databaseUrl = created.url;
      dropDatabase = created.drop;
    }
  }
  // The ffmpeg `threshold serve` would hand the server (clip downloads), found as the cameras find theirs.
  const ffmpeg = lookUpFfmpeg(process.env);
  const config = loadConfig({
    ...(ffmpeg.found ? { FFMPEG_PATH: ffmpeg.path } : {}),
    DATA_DIR: dataDir,
    PORT: "0",
    MQTT_PORT: "0",
    LOG_LEVEL: process.env.TEST_LOG ? "debug" : "silent",
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...options.env,
  });
  const handle = await startServer(config, {
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.demo ? { demo: options.demo } : {}),
    ...(options.demoKeypad ? { demoKeypad: options.demoKeypad } : {}),
    ...(options.demoLocker ? { demoLocker: options.demoLocker } : {}),
    // The server's own logger (JSON, pid and hostname, secrets redacted); silent unless TEST_LOG is set.
    log: options.log ?? createLogger(config),
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await handle.close();
  };
  return {
    ...handle,
    dataDir,
    config,
    stop,
    destroy: async () => {
      await stop();
      await dropDatabase?.();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

import { type Clock, systemClock } from "@threshold/core";
import pino, { type Logger } from "pino";
import type { Config } from "./config.js";
import type { AppContext, BrokerStatus, DeviceLink } from "./context.js";
import { migrateToLatest, openStorage } from "./db/database.js";
import { type App, buildApp } from "./http/app.js";
import { createAuthenticator } from "./modules/auth/authenticator.js";
import { Keyring } from "./modules/keys/keyring.js";

export interface ServerHandle {
  app: App;
  ctx: AppContext;
  /** Base URL of the HTTP API, e.g. http://127.0.0.1:8080 */
  url: string;
  close(): Promise<void>;
}

export interface StartOptions {
  clock?: Clock;
  log?: Logger;
}

export function createLogger(config: Pick<Config, "logLevel">): Logger {
  return pino({ level: config.logLevel, base: undefined });
}

/** The composition root: storage, migrations, broker, services, HTTP — in that order, closed in reverse. */
export async function startServer(config: Config, options: StartOptions = {}): Promise<ServerHandle> {
  const log = options.log ?? createLogger(config);
  const clock = options.clock ?? systemClock;
  const storage = openStorage(
    config.databaseUrl ? { databaseUrl: config.databaseUrl } : { sqlitePath: config.sqlitePath },
  );
  const closers: (() => Promise<void>)[] = [() => storage.close()];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch((err) => log.error({ err }, "error while closing"));
  };
  try {
    const applied = await migrateToLatest(storage.db);
    if (applied.length > 0) log.info({ applied }, "database migrated");

    const keyring = await Keyring.open(config.signingKeyDir, storage.db, clock);
    const broker: BrokerStatus = { status: () => ({ ok: true, mode: "embedded" }) };
    const deviceLink: DeviceLink = { disconnect: () => {} };
    const base = { config, storage, db: storage.db, clock, log, broker, keyring, deviceLink };
    const ctx: AppContext = { ...base, authenticator: createAuthenticator(base) };

    const app = await buildApp(ctx);
    closers.push(() => app.close());
    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    const port = typeof address === "object" && address ? address.port : config.port;
    const host = config.host === "0.0.0.0" ? "127.0.0.1" : config.host;
    return { app, ctx, url: `http://${host}:${port}`, close };
  } catch (error) {
    await close();
    throw error;
  }
}

import { type Clock, systemClock } from "@threshold/core";
import type { Logger } from "pino";
import { AuditLog } from "./audit/audit-log.js";
import { CommandRepository } from "./commands/command-repository.js";
import { CommandService } from "./commands/command-service.js";
import type { Config } from "./config.js";
import type { AppContext, DemoKeypad, DemoLocker, DemoLogins } from "./context.js";
import { migrateToLatest, openStorage } from "./db/database.js";
import { DeviceGateway } from "./gateway/gateway.js";
import { startTransport } from "./gateway/start-transport.js";
import { type App, buildApp } from "./http/app.js";
import { createLogger } from "./logging/index.js";
import { createServerMetrics, startMetricsListener } from "./metrics/index.js";
import { KeypadEventHandler } from "./modules/access-codes/keypad-events.js";
import { AccessCodeWorker } from "./modules/access-codes/worker.js";
import { createAuthenticator } from "./modules/auth/authenticator.js";
import { GuestKeyWorker } from "./modules/guest-keys/worker.js";
import { GarageClosedRecorder } from "./modules/incidents/garage-closed.js";
import { Keyring } from "./modules/keys/keyring.js";
import { SecretBox } from "./modules/keys/secret-box.js";
import { LockerDeviceEvents } from "./modules/lockers/device-events.js";
import { LockerWorker } from "./modules/lockers/worker.js";
import { CarWatch } from "./modules/visits/car-watch.js";
import { VisitWatchdog } from "./modules/visits/watchdog.js";
import { startMediaWorkers } from "./workers/media/index.js";
import { startWebhookWorkers, type WebhookWorkers } from "./workers/webhooks/index.js";

export interface ServerHandle {
  app: App;
  ctx: AppContext;
  /** Base URL of the HTTP API, e.g. http://127.0.0.1:8080 */
  url: string;
  /** Where Prometheus scrapes this server (METRICS_PORT), or null when metrics are off. */
  metricsUrl: string | null;
  /** The webhook workers, so a test can wait until they have had their chance (`drained()`). */
  webhooks: WebhookWorkers;
  close(): Promise<void>;
}

export interface StartOptions {
  clock?: Clock;
  log?: Logger;
  /** Set by `threshold demo` only: the sign-in page lists these logins (GET /v1/demo). */
  demo?: DemoLogins;
  /** Set by `threshold demo` only: its simulated locks' keypads, for the web app's demo keypad. */
  demoKeypad?: DemoKeypad;
  /** Set by `threshold demo` only: hands at its simulated locker banks. */
  demoLocker?: DemoLocker;
}

export { createLogger } from "./logging/index.js";

/** The composition root: storage, migrations, broker, services, HTTP — in that order, closed in reverse. */
export async function startServer(config: Config, options: StartOptions = {}): Promise<ServerHandle> {
  const log = options.log ?? createLogger(config);
  const clock = options.clock ?? systemClock;
  const startedAt = clock.now();
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

    const db = storage.db;
    const keyring = await Keyring.open(config.signingKeyDir, db, clock);
    const audit = new AuditLog(db, storage.dialect, clock, () => storage.durable());
    const transport = await startTransport(config, db, log);
    closers.push(() => transport.close());
    const metrics = createServerMetrics({ db, clock, log, transport });
    metrics.countVisits(audit);
    closers.push(async () => metrics.close());
    const commands = new CommandService({
      repository: new CommandRepository(db, audit),
      transport,
      keyring,
      clock,
      log,
      defaultTtlMs: config.commandTtlMs,
      onSettled: metrics.commandSettled,
    });
    // Commands of a previous run that expired unanswered end timed_out, and are never re-sent.
    const timedOut = await commands.timeOutExpired();
    if (timedOut > 0) log.warn({ timedOut }, "commands from before the restart timed out");
    commands.startSweeper();
    closers.push(async () => commands.close());
    const gateway = new DeviceGateway({
      transport,
      db,
      dialect: storage.dialect,
      clock,
      log,
      commands,
      keyring,
      audit,
      maxClockSkewMs: config.deviceMaxClockSkewMs,
    });
    closers.push(() => gateway.idle());

    const ctx: AppContext = {
      config,
      storage,
      db,
      clock,
      startedAt,
      log,
      keyring,
      secrets: SecretBox.open(config.signingKeyDir),
      commands,
      audit,
      gateway,
      broker: gateway,
      deviceLink: gateway,
      mqttUrl: config.mqtt.publicUrl ?? config.mqtt.url ?? transport.url,
      authenticator: createAuthenticator({ db, clock }),
      demo: options.demo ?? null,
      demoKeypad: options.demoKeypad ?? null,
      demoLocker: options.demoLocker ?? null,
      metrics,
    };

    const watchdog = new VisitWatchdog(ctx);
    // Listening before the first pass: a lock owed a relock may connect during it.
    watchdog.listen();
    // First pass at once: visits a crash left half-open end aborted, with the lock told to lock.
    await watchdog.tick();
    watchdog.start();
    closers.push(() => watchdog.stop());
    // Keypad reports (pin.used, wrong-code lockouts) and the code lifecycle (expiry, removal from locks).
    const keypadEvents = new KeypadEventHandler(ctx);
    keypadEvents.start();
    closers.push(() => keypadEvents.stop());
    // Cars that move while their trunk is open for a courier (docs/in-car-delivery.md).
    const carWatch = new CarWatch(ctx);
    carWatch.start();
    closers.push(() => carWatch.stop());
    const accessCodes = new AccessCodeWorker(ctx);
    accessCodes.start();
    closers.push(() => accessCodes.stop());
    const guestKeys = new GuestKeyWorker(ctx);
    guestKeys.start();
    closers.push(() => guestKeys.stop());
    // A garage proven closed: its open incidents say when and by what.
    const garageClosed = new GarageClosedRecorder(ctx);
    garageClosed.start();
    closers.push(() => garageClosed.stop());
    // Parcel lockers: what controllers report (deposits, pickups, offline logs, outages) and pickup deadlines.
    const lockerEvents = new LockerDeviceEvents(ctx);
    lockerEvents.start();
    closers.push(() => lockerEvents.stop());
    const lockerWorker = new LockerWorker(ctx);
    lockerWorker.start(5_000);
    closers.push(() => lockerWorker.stop());

    const app = await buildApp(ctx);
    closers.push(() => app.close());
    // Webhook fan-out and delivery; stopped before the HTTP server and storage close.
    const webhooks = startWebhookWorkers(ctx);
    closers.push(() => webhooks.stop());
    // Deletes expired video segments (MEDIA_LIVE_RETENTION_S, MEDIA_CLIP_RETENTION_DAYS).
    const media = startMediaWorkers(ctx);
    closers.push(() => media.stop());
    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    const port = typeof address === "object" && address ? address.port : config.port;
    const host = config.host === "0.0.0.0" ? "127.0.0.1" : config.host;
    // Last: a scrape answered means the server it describes is up.
    const metricsListener = config.metrics
      ? await startMetricsListener({ ...config.metrics, source: metrics, log })
      : null;
    if (metricsListener) closers.push(() => metricsListener.close());
    return {
      app,
      ctx,
      url: `http://${host}:${port}`,
      metricsUrl: metricsListener?.url ?? null,
      webhooks,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

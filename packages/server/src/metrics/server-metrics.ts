import type { Clock } from "@threshold/core";
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import { Registry } from "prom-client";
import type { AuditLog } from "../audit/audit-log.js";
import type { CommandSettledObserver } from "../commands/command-service.js";
import type { Database } from "../db/schema.js";
import type { BrokerTransport } from "../gateway/broker.js";
import { commandRoundTrips } from "./command-metrics.js";
import { observeDevices } from "./device-metrics.js";
import { observeHttp } from "./http-metrics.js";
import type { MetricsSource } from "./metrics-listener.js";
import { processMetrics } from "./process-metrics.js";
import { countVisits } from "./visit-metrics.js";
import { observeWebhookBacklog } from "./webhook-metrics.js";

/** One server's metrics: what it counts as it works, and what it reads at each scrape. */
export interface ServerMetrics extends MetricsSource {
  /** For the CommandService: each command's round trip and outcome. */
  readonly commandSettled: CommandSettledObserver;
  /** Counts and times the app's requests; call before its routes are registered. */
  observeHttp(app: FastifyInstance): void;
  /** Counts visits from the audit log's announcements. */
  countVisits(audit: AuditLog): void;
  /** Stops listening to the audit log. */
  close(): void;
}

/**
 * The metrics of one server, in a registry of its own (a test process runs many servers), read
 * together with the process-wide default metrics. Nothing here carries an id, a code, an address
 * or a raw path: every label's values come from a fixed list or the route table.
 */
export function createServerMetrics(deps: {
  db: Kysely<Database>;
  clock: Clock;
  log: Logger;
  transport: Pick<BrokerTransport, "connectedDevices">;
}): ServerMetrics {
  const registry = new Registry();
  observeDevices(registry, deps);
  observeWebhookBacklog(registry, deps);
  const stops: (() => void)[] = [];
  return {
    commandSettled: commandRoundTrips(registry),
    observeHttp: (app) => observeHttp(app, registry),
    countVisits: (audit) => {
      stops.push(countVisits(audit, registry));
    },
    close: () => {
      for (const stop of stops.splice(0)) stop();
    },
    // Each registry's text ends with a newline, so the two read as one exposition.
    metrics: async () => {
      const [process, server] = await Promise.all([processMetrics().metrics(), registry.metrics()]);
      return process + server;
    },
    contentType: registry.contentType,
  };
}

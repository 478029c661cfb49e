import { DEVICE_KINDS } from "@threshold/core";
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import { Gauge, type Registry } from "prom-client";
import type { Database } from "../db/schema.js";
import type { BrokerTransport } from "../gateway/broker.js";
import { oncePerScrape } from "./once-per-scrape.js";

const KNOWN_KINDS = new Set<string>(DEVICE_KINDS);

interface DeviceCount {
  kind: string;
  paired: number;
  online: number;
}

/**
 * Device connections. `threshold_device_connections` is what this process's embedded broker holds
 * right now (absent with an external broker, which alone sees them). `threshold_devices` and
 * `threshold_devices_online` are read from the database at each scrape — one grouped count over
 * the paired devices — so they hold for the whole installation, whichever process is scraped.
 */
export function observeDevices(
  registry: Registry,
  deps: { db: Kysely<Database>; transport: Pick<BrokerTransport, "connectedDevices">; log: Logger },
): void {
  if (deps.transport.connectedDevices() !== null) {
    new Gauge({
      name: "threshold_device_connections",
      help: "Devices connected to this process's embedded MQTT broker.",
      registers: [registry],
      collect() {
        this.set(deps.transport.connectedDevices() ?? 0);
      },
    });
  }
  const counts = oncePerScrape(async (): Promise<DeviceCount[] | null> => {
    try {
      const rows = await deps.db
        .selectFrom("devices")
        .select((eb) => [
          "kind",
          eb.fn.countAll<number | string>().as("paired"),
          eb.fn.sum<number | string | null>("online").as("online"),
        ])
        .where("removed_at", "is", null)
        .groupBy("kind")
        .execute();
      return rows.map((row) => ({ kind: row.kind, paired: Number(row.paired), online: Number(row.online ?? 0) }));
    } catch (err) {
      deps.log.warn({ err }, "metrics: cannot count devices");
      return null;
    }
  });
  const byKind = (gauge: Gauge<"kind">, rows: DeviceCount[] | null, pick: (row: DeviceCount) => number) => {
    gauge.reset();
    // NaN, not stale figures, when the database cannot be read (the log says why).
    for (const kind of DEVICE_KINDS) gauge.labels(kind).set(rows === null ? Number.NaN : 0);
    if (rows === null) return;
    for (const row of rows) {
      // A kind this version does not know is counted under "other", never as a label of its own.
      gauge.labels(KNOWN_KINDS.has(row.kind) ? row.kind : "other").inc(pick(row));
    }
  };
  new Gauge({
    name: "threshold_devices",
    help: "Paired devices (not removed), by kind.",
    labelNames: ["kind"] as const,
    registers: [registry],
    async collect() {
      byKind(this, await counts(), (row) => row.paired);
    },
  });
  new Gauge({
    name: "threshold_devices_online",
    help: "Paired devices whose last report said they are online, by kind.",
    labelNames: ["kind"] as const,
    registers: [registry],
    async collect() {
      byKind(this, await counts(), (row) => row.online);
    },
  });
}

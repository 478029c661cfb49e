import type { DeviceKind } from "@threshold/core";
import type { ExpressionBuilder, Kysely } from "kysely";
import type { Database } from "../../db/schema.js";
import type { FleetStatus } from "./schemas.js";

export interface FleetFilter {
  kind?: DeviceKind;
  status?: FleetStatus;
  /** Devices heard from at or after this instant count as online (when their connection is up). */
  liveSince: number;
  afterId?: string;
  limit: number;
}

type DevicesAndSites = ExpressionBuilder<Database & { devices: Database["devices"] }, "devices">;

/** The SQL twin of isOnline() in devices/schemas.ts, so filters and counts agree with what each row says. */
function onlineNow(eb: DevicesAndSites, liveSince: number) {
  return eb.and([eb("devices.online", "=", 1), eb("devices.last_seen_at", ">=", liveSince)]);
}

function activeDevices(db: Kysely<Database>, kind: DeviceKind | undefined) {
  let query = db.selectFrom("devices").where("devices.removed_at", "is", null);
  if (kind !== undefined) query = query.where("devices.kind", "=", kind);
  return query;
}

/** One page of active devices with their site's name, in id order (ids grow with pairing time). */
export function listFleet(db: Kysely<Database>, filter: FleetFilter) {
  let query = activeDevices(db, filter.kind)
    .innerJoin("sites", "sites.id", "devices.site_id")
    .select([
      "devices.id",
      "devices.kind",
      "devices.name",
      "devices.model",
      "devices.firmware",
      "devices.site_id",
      "devices.online",
      "devices.last_seen_at",
      "devices.reported_state",
      "devices.paired_at",
      "devices.takeover_count",
      "devices.last_takeover_at",
      "sites.name as site_name",
    ]);
  if (filter.status === "online") query = query.where((eb) => onlineNow(eb, filter.liveSince));
  if (filter.status === "offline") query = query.where((eb) => eb.not(onlineNow(eb, filter.liveSince)));
  if (filter.afterId !== undefined) query = query.where("devices.id", ">", filter.afterId);
  return query.orderBy("devices.id").limit(filter.limit).execute();
}

export type FleetRow = Awaited<ReturnType<typeof listFleet>>[number];

/** How many active devices (of `kind`) there are, and how many of them are online now. */
export async function countFleet(
  db: Kysely<Database>,
  kind: DeviceKind | undefined,
  liveSince: number,
): Promise<{ total: number; online: number }> {
  const [total, online] = await Promise.all([
    activeDevices(db, kind)
      .select((eb) => eb.fn.countAll().as("n"))
      .executeTakeFirstOrThrow(),
    activeDevices(db, kind)
      .where((eb) => onlineNow(eb, liveSince))
      .select((eb) => eb.fn.countAll().as("n"))
      .executeTakeFirstOrThrow(),
  ]);
  return { total: Number(total.n), online: Number(online.n) };
}

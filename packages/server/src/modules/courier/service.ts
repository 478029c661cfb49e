import type { DeliveryMethod } from "@threshold/core";
import type { AppContext } from "../../context.js";
import type { Actor } from "../../http/actor.js";
import { requireRole } from "../../http/ownership.js";
import { deviceLiveness } from "../devices/index.js";
import { listActiveDevicesByIds } from "../devices/repository.js";
import { bankNamesOfSites } from "../lockers/repository.js";
import { FALLBACK_TIME_ZONE, placeTimeZones } from "../shipments/place-zone.js";
import { readinessOf } from "../shipments/readiness.js";
import { sitesByIds } from "../shipments/repository.js";
import { toDestination } from "../shipments/schemas.js";
import { accessPointsForMethod, findSiteAccessPoint, type SiteAccessPoint } from "../shipments/site-access-points.js";
import { liveCameras } from "../video/service.js";
import { listCourierStopRows } from "./repository.js";
import type { Stop } from "./schemas.js";

type Ctx = Pick<AppContext, "db" | "clock" | "config">;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The courier's day: assigned, undelivered shipments whose window overlaps today (UTC) or the next
 * 24 hours, each with where to go, the recipient's notes and whether the door could open now; with
 * `includeDelivered`, also the stops this courier finished today, marked with when.
 */
export async function listStops(ctx: Ctx, actor: Actor, options: { includeDelivered?: boolean } = {}): Promise<Stop[]> {
  const courier = requireRole(actor, ["courier"], "read courier stops");
  const liveness = deviceLiveness(ctx);
  const now = liveness.now;
  const startOfToday = now - (now % DAY_MS);
  const rows = await listCourierStopRows(
    ctx.db,
    courier.userId,
    { from: startOfToday, to: now + DAY_MS },
    options.includeDelivered === true,
  );
  if (rows.length === 0) return [];
  const siteIds = rows.map((row) => row.site_id);
  const lockerSiteIds = rows.filter((row) => row.method === "locker").map((row) => row.site_id);
  const [sites, doors, zones, banks] = await Promise.all([
    sitesByIds(ctx.db, siteIds),
    accessPointsByMethod(ctx, rows),
    placeTimeZones(ctx.db, rows),
    bankNamesOfSites(ctx.db, lockerSiteIds),
  ]);
  const vias = await frontDoorsOf(
    ctx,
    [...doors.values()].flatMap((bySite) => [...bySite.values()]),
  );
  const points = [...[...doors.values()].flatMap((bySite) => [...bySite.values()]), ...vias.values()];
  const deviceIds = points.flatMap((door) => [door.actuatorDeviceId, ...door.cameraDeviceIds]);
  const [deviceRows, freshCameras] = await Promise.all([
    listActiveDevicesByIds(ctx.db, deviceIds),
    liveCameras(
      ctx,
      points.flatMap((door) => door.cameraDeviceIds),
    ),
  ]);
  const devices = new Map(deviceRows.map((device) => [device.id, device]));
  return rows.flatMap((row): Stop[] => {
    const site = sites.get(row.site_id);
    if (!site) return [];
    const method = row.method as DeliveryMethod;
    const door = doors.get(method)?.get(row.site_id) ?? null;
    const delivered = row.status === "delivered" || row.status === "collected";
    return [
      {
        shipmentId: row.id,
        trackingNumber: row.tracking_number,
        method,
        direction: row.direction === "return" ? "return" : "delivery",
        window: { start: new Date(row.window_start).toISOString(), end: new Date(row.window_end).toISOString() },
        timeZone: zones.get(row.id) ?? FALLBACK_TIME_ZONE,
        siteId: row.site_id,
        site: toDestination(site),
        size:
          row.length_cm !== null && row.width_cm !== null && row.height_cm !== null
            ? { lengthCm: row.length_cm, widthCm: row.width_cm, heightCm: row.height_cm }
            : null,
        weightG: row.weight_g,
        flags: { perishable: row.perishable === 1, signatureRequired: row.signature_required === 1 },
        accessPoint: door
          ? { id: door.id, kind: stopKind(door.kind), name: door.name, notes: door.consent?.notes ?? "" }
          : null,
        ...(method === "locker"
          ? {
              lockerBanks: (banks.get(row.site_id) ?? []).map((bank) => ({
                ...bank,
                dropOff: { method: "POST" as const, path: `/v1/lockers/banks/${bank.id}/drop-offs` },
              })),
            }
          : {}),
        deliveredAt: delivered && row.delivered_at !== null ? new Date(row.delivered_at).toISOString() : null,
        // A finished stop opens nothing any more, like a doorstep one; a locker stop's bank decides
        // at the scan (docs/lockers.md).
        readiness:
          method === "doorstep" || method === "locker" || delivered
            ? null
            : readinessOf(
                door,
                door?.viaAccessPointId ? (vias.get(door.viaAccessPointId) ?? null) : undefined,
                devices,
                site,
                method,
                liveness,
                freshCameras,
                ctx.config.fridge.maxTemperatureC,
                { start: row.window_start, end: row.window_end },
              ),
      },
    ];
  });
}

/** The access point each stop goes through, by method then site: one lookup per method on the route. */
async function accessPointsByMethod(
  ctx: Ctx,
  rows: readonly { site_id: string; method: string }[],
): Promise<Map<string, Map<string, SiteAccessPoint>>> {
  const sitesOf = new Map<string, string[]>();
  for (const row of rows) sitesOf.set(row.method, [...(sitesOf.get(row.method) ?? []), row.site_id]);
  const entries = await Promise.all(
    [...sitesOf].map(
      async ([method, siteIds]) =>
        [method, await accessPointsForMethod(ctx.db, siteIds, method as DeliveryMethod)] as const,
    ),
  );
  return new Map(entries);
}

/** The front doors that fridges are reached through, by id: the scan checks them too. */
async function frontDoorsOf(ctx: Ctx, points: readonly SiteAccessPoint[]): Promise<Map<string, SiteAccessPoint>> {
  const ids = [...new Set(points.flatMap((point) => (point.viaAccessPointId ? [point.viaAccessPointId] : [])))];
  const found = await Promise.all(ids.map((id) => findSiteAccessPoint(ctx.db, id)));
  return new Map(found.flatMap((point) => (point ? [[point.id, point] as const] : [])));
}

/** Stops go through the access points the opening methods use; nothing else is found for them. */
function stopKind(kind: SiteAccessPoint["kind"]): "front_door" | "garage" | "fridge" | "trunk" {
  return kind === "garage" || kind === "fridge" || kind === "trunk" ? kind : "front_door";
}

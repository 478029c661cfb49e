import type { DeliveryMethod } from "@threshold/core";
import type { AppContext } from "../../context.js";
import type { Actor } from "../../http/actor.js";
import { requireRole } from "../../http/ownership.js";
import { listActiveDevicesByIds } from "../devices/repository.js";
import { deviceLiveness } from "../devices/schemas.js";
import { frontDoorsOfSites } from "../shipments/front-door.js";
import { readinessOf } from "../shipments/readiness.js";
import { sitesByIds } from "../shipments/repository.js";
import { toDestination } from "../shipments/schemas.js";
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
  const [sites, doors] = await Promise.all([sitesByIds(ctx.db, siteIds), frontDoorsOfSites(ctx.db, siteIds)]);
  const deviceIds = [...doors.values()].flatMap((door) => [door.actuatorDeviceId, ...door.cameraDeviceIds]);
  const [deviceRows, freshCameras] = await Promise.all([
    listActiveDevicesByIds(ctx.db, deviceIds),
    liveCameras(
      ctx,
      [...doors.values()].flatMap((door) => door.cameraDeviceIds),
    ),
  ]);
  const devices = new Map(deviceRows.map((device) => [device.id, device]));
  return rows.flatMap((row): Stop[] => {
    const site = sites.get(row.site_id);
    if (!site) return [];
    const door = doors.get(row.site_id) ?? null;
    const method = row.method as DeliveryMethod;
    const delivered = row.status === "delivered";
    return [
      {
        shipmentId: row.id,
        trackingNumber: row.tracking_number,
        method,
        window: { start: new Date(row.window_start).toISOString(), end: new Date(row.window_end).toISOString() },
        siteId: row.site_id,
        site: toDestination(site),
        size:
          row.length_cm !== null && row.width_cm !== null && row.height_cm !== null
            ? { lengthCm: row.length_cm, widthCm: row.width_cm, heightCm: row.height_cm }
            : null,
        weightG: row.weight_g,
        flags: { perishable: row.perishable === 1, signatureRequired: row.signature_required === 1 },
        accessPoint: door
          ? { id: door.id, kind: "front_door", name: door.name, notes: door.consent?.notes ?? "" }
          : null,
        deliveredAt: delivered && row.delivered_at !== null ? new Date(row.delivered_at).toISOString() : null,
        // A finished stop opens nothing any more, like a doorstep one.
        readiness:
          method === "doorstep" || delivered ? null : readinessOf(door, devices, site, method, liveness, freshCameras),
      },
    ];
  });
}

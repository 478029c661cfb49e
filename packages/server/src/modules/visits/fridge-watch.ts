import { SYSTEM_ACTOR } from "../../audit/audit-log.js";
import type { AppContext } from "../../context.js";
import { deviceLiveness, isOnline, reportedState } from "../devices/index.js";
import { insertOpenIncident } from "../incidents/repository.js";

type Ctx = Pick<AppContext, "db" | "clock" | "config" | "audit">;

/**
 * Watches the fridges that took a delivery lately (docs/garage-and-fridge.md): a fridge warmer
 * than FRIDGE_MAX_TEMPERATURE_C during or after its visit, or left open after it, raises an
 * incident on that visit — without changing the visit, which may be long secured — so the
 * recipient sees it (GET /v1/incidents, the event stream) with its audit event. One open incident
 * per visit and kind: a fridge that stays warm is not reported every second.
 */
export async function watchFridges(ctx: Ctx): Promise<void> {
  const { db, config } = ctx;
  const liveness = deviceLiveness(ctx);
  const now = liveness.now;
  // Driven by the fridges (few, one per home that has one), each asking the visits index for its
  // latest visit: no scan of visit history, and nothing on the front-door visit path.
  const fridges = await db
    .selectFrom("access_points")
    .innerJoin("devices", "devices.id", "access_points.actuator_device_id")
    .select(["access_points.id", "devices.online", "devices.last_seen_at", "devices.reported_state"])
    .where("access_points.kind", "=", "fridge")
    .where("access_points.removed_at", "is", null)
    .execute();
  for (const fridge of fridges) {
    // An offline fridge tells nothing trustworthy; the device itself shows offline to the recipient.
    if (!isOnline(fridge, liveness)) continue;
    const visit = await latestVisitOf(ctx, fridge.id);
    if (!visit || visit.authorized_at === null) continue;
    const inProgress = !["secured", "aborted", "refused"].includes(visit.status);
    if (!inProgress && (visit.ended_at ?? 0) <= now - config.fridge.watchAfterVisitMs) continue;
    const state = reportedState(fridge.reported_state);
    const temperatureC = typeof state?.temperatureC === "number" ? state.temperatureC : null;
    if (temperatureC !== null && temperatureC > config.fridge.maxTemperatureC) {
      await raiseFridgeIncident(ctx, visit, fridge.id, "fridge_warm", {
        detail: `The fridge is at ${temperatureC} °C, warmer than ${config.fridge.maxTemperatureC} °C.`,
        temperatureC,
      });
    }
    // Open is expected while the courier fills it; a fridge left open once its part is done is not.
    const chained = visit.inner_access_point_id === fridge.id;
    const fridgeDone = chained ? visit.inner_secured_at != null : !inProgress;
    if (state?.door === "open" && (fridgeDone || !inProgress)) {
      await raiseFridgeIncident(ctx, visit, fridge.id, "fridge_open", {
        detail: "The fridge was left open after the delivery.",
        temperatureC,
      });
    }
  }
}

/** The fridge's newest visit, whether it was the visit's own access point or the inner one of a chain. */
async function latestVisitOf(ctx: Ctx, accessPointId: string) {
  const columns = [
    "visits.id",
    "visits.site_id",
    "visits.status",
    "visits.courier_id",
    "visits.carrier_id",
    "visits.shipment_id",
    "visits.authorized_at",
    "visits.ended_at",
    "visits.requested_at",
    "visits.inner_access_point_id",
    "visits.inner_secured_at",
    "shipments.tracking_number",
  ] as const;
  const [direct, chained] = await Promise.all(
    (["access_point_id", "inner_access_point_id"] as const).map((column) =>
      ctx.db
        .selectFrom("visits")
        .innerJoin("shipments", "shipments.id", "visits.shipment_id")
        .select(columns)
        .where(`visits.${column}`, "=", accessPointId)
        .orderBy("visits.requested_at", "desc")
        .limit(1)
        .executeTakeFirst(),
    ),
  );
  if (!direct) return chained;
  if (!chained) return direct;
  return direct.requested_at >= chained.requested_at ? direct : chained;
}

async function raiseFridgeIncident(
  ctx: Ctx,
  visit: {
    id: string;
    site_id: string;
    courier_id: string;
    carrier_id: string;
    shipment_id: string;
    tracking_number: string;
  },
  accessPointId: string,
  kind: "fridge_warm" | "fridge_open",
  facts: { detail: string; temperatureC: number | null },
): Promise<void> {
  const now = ctx.clock.now();
  await ctx.audit.transaction(async (trx, record) => {
    const open = await trx
      .selectFrom("incidents")
      .select("id")
      .where("visit_id", "=", visit.id)
      .where("kind", "=", kind)
      .where("status", "=", "open")
      .executeTakeFirst();
    if (open) return;
    const incidentId = await insertOpenIncident(trx, {
      visitId: visit.id,
      siteId: visit.site_id,
      kind,
      detail: facts.detail,
      openedAt: now,
    });
    record({
      type: "incident.opened",
      subjectType: "incident",
      subjectId: incidentId,
      siteId: visit.site_id,
      actor: SYSTEM_ACTOR,
      data: {
        visitId: visit.id,
        kind,
        detail: facts.detail,
        accessPointId,
        temperatureC: facts.temperatureC,
        courierId: visit.courier_id,
        carrierId: visit.carrier_id,
        shipmentId: visit.shipment_id,
        trackingNumber: visit.tracking_number,
      },
    });
  });
}

import { ThresholdError } from "@threshold/core";
import type { AuditActor } from "../../audit/audit-log.js";
import type { AppContext } from "../../context.js";
import { foundOrNotFound } from "../../http/ownership.js";
import { findShipmentById, shipmentHasVisitInProgress } from "./repository.js";
import { MAX_WINDOW_MS } from "./schemas.js";

type Ctx = Pick<AppContext, "db" | "clock" | "audit">;

/** The statuses whose window still matters: nothing has been delivered, collected or cancelled. */
const RESCHEDULABLE = ["created", "assigned"] as const;

/**
 * Moves a shipment's delivery window, as one audited fact. No route offers it yet: the demo uses it
 * to bring its seeded shipments to today on a restart (docs/decisions.md), instead of seeding new
 * ones every start. A shipment that is delivered, cancelled or at the door keeps its window.
 */
export async function rescheduleShipment(
  ctx: Ctx,
  shipmentId: string,
  window: { start: number; end: number },
  actor: AuditActor,
): Promise<void> {
  const now = ctx.clock.now();
  if (!(window.end > window.start) || window.end - window.start > MAX_WINDOW_MS || window.end <= now) {
    throw new ThresholdError("invalid_window", "The window must end after it starts, within 12 hours, and ahead.");
  }
  const row = foundOrNotFound(await findShipmentById(ctx.db, shipmentId), "shipment");
  if (
    !(RESCHEDULABLE as readonly string[]).includes(row.status) ||
    (await shipmentHasVisitInProgress(ctx.db, row.id))
  ) {
    throw new ThresholdError("conflict", `The shipment is ${row.status} or at the door; its window stays.`);
  }
  await ctx.audit.transaction(async (trx, record) => {
    const moved = await trx
      .updateTable("shipments")
      .set({ window_start: window.start, window_end: window.end, updated_at: now })
      .where("id", "=", row.id)
      .where("status", "in", RESCHEDULABLE)
      .executeTakeFirst();
    if (moved.numUpdatedRows === 0n) throw new ThresholdError("conflict", "The shipment changed meanwhile.");
    record({
      type: "shipment.rescheduled",
      subjectType: "shipment",
      subjectId: row.id,
      siteId: row.site_id,
      actor,
      data: {
        carrierId: row.carrier_id,
        trackingNumber: row.tracking_number,
        previousWindowStart: new Date(row.window_start).toISOString(),
        previousWindowEnd: new Date(row.window_end).toISOString(),
        windowStart: new Date(window.start).toISOString(),
        windowEnd: new Date(window.end).toISOString(),
      },
    });
  });
}

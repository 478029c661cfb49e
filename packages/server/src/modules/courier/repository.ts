import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.js";

/**
 * The rows of a courier's day: assigned shipments whose window overlaps [from, to) and, when asked,
 * the ones this courier delivered since `from` (so the app can show the day's finished stops as
 * done). Earliest window first; ties by id, so the order never flickers.
 */
export function listCourierStopRows(
  db: Kysely<Database>,
  courierId: string,
  range: { from: number; to: number },
  includeDelivered: boolean,
) {
  return db
    .selectFrom("shipments")
    .selectAll()
    .where("courier_id", "=", courierId)
    .where((eb) => {
      const assigned = eb.and([
        eb("status", "=", "assigned"),
        eb("window_end", ">", range.from),
        eb("window_start", "<", range.to),
      ]);
      if (!includeDelivered) return assigned;
      return eb.or([
        assigned,
        eb.and([eb("status", "in", ["delivered", "collected"]), eb("delivered_at", ">=", range.from)]),
      ]);
    })
    .orderBy("window_start")
    .orderBy("id")
    .execute();
}

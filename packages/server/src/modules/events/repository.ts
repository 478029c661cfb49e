import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.js";

/** The seq of the newest committed event (0 before the first). */
export async function headSeq(db: Kysely<Database>): Promise<number> {
  const head = await db.selectFrom("audit_head").select("seq").where("id", "=", 1).executeTakeFirst();
  return head?.seq ?? 0;
}

/** What a reader's replay may be narrowed to in SQL; the exact check happens in memory (visibility.ts). */
export type ReplayScope = { kind: "all" } | { kind: "owner"; ownerId: string } | { kind: "courier" };

/** Events in (`after`, `upTo`], oldest first, narrowed to what the scope could see. */
export function eventsBetween(
  db: Kysely<Database>,
  scope: ReplayScope,
  after: number,
  upTo: number,
  limit: number,
): Promise<Database["audit_events"][]> {
  let query = db
    .selectFrom("audit_events")
    .selectAll()
    .where("seq", ">", after)
    .where("seq", "<=", upTo)
    .orderBy("seq")
    .limit(limit);
  if (scope.kind === "owner") {
    // Also the locker events naming the reader as the resident (a superset in SQL: `_` matches any
    // character; the viewer's own check decides each event exactly).
    query = query.where((eb) =>
      eb.or([
        eb("site_id", "in", db.selectFrom("sites").select("id").where("owner_id", "=", scope.ownerId)),
        eb.and([eb("type", "like", "locker.%"), eb("data", "like", `%"residentId":"${scope.ownerId}"%`)]),
      ]),
    );
  } else if (scope.kind === "courier") {
    query = query.where((eb) =>
      eb.or([
        eb("subject_type", "=", "visit"),
        eb("subject_type", "=", "access_code"),
        eb("type", "like", "incident.%"),
      ]),
    );
  }
  return query.execute();
}

export function ownersOfSites(db: Kysely<Database>, siteIds: readonly string[]) {
  return db.selectFrom("sites").select(["id", "owner_id"]).where("id", "in", siteIds).execute();
}

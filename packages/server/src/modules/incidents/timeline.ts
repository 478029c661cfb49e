import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.js";

/** Longest timeline returned: a visit has a dozen events; a stuck lock retried for hours has more. */
export const MAX_TIMELINE_EVENTS = 500;

/**
 * The audit events that tell an incident's story, in chain order: its visit (requested … incident,
 * secured), the commands sent to the visit's devices (unlock, lock retries and their outcomes) and
 * the incident's own (resolved). Commands name their visit in their params, as the server wrote them.
 */
export async function incidentTimeline(
  db: Kysely<Database>,
  incident: { id: string; visit_id: string; site_id: string },
) {
  const commands = await db
    .selectFrom("commands")
    .select("id")
    .where("site_id", "=", incident.site_id)
    .where("params", "like", `%"visitId":"${incident.visit_id}"%`)
    .execute();
  const subjects = [incident.id, incident.visit_id, ...commands.map((command) => command.id)];
  return db
    .selectFrom("audit_events")
    .selectAll()
    .where("subject_id", "in", subjects)
    .where("site_id", "=", incident.site_id)
    .orderBy("seq")
    .limit(MAX_TIMELINE_EVENTS)
    .execute();
}

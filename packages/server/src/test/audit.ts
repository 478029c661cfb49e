import type { AuditEvent } from "@threshold/core";
import { fromRow } from "../audit/audit-log.js";
import type { ServerHandle } from "../server.js";

/** The audit events about one subject (a user, a device, a site…), oldest first, straight from `audit_events`. */
export async function auditEventsAbout(server: Pick<ServerHandle, "ctx">, subjectId: string): Promise<AuditEvent[]> {
  const rows = await server.ctx.db
    .selectFrom("audit_events")
    .selectAll()
    .where("subject_id", "=", subjectId)
    .orderBy("seq")
    .execute();
  return rows.map(fromRow);
}

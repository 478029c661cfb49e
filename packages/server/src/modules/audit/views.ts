import { fromRow } from "../../audit/audit-log.js";
import type { Database } from "../../db/schema.js";

/** An audit row as the API shows it (the AuditEvent schema): the stored event with `at` as an ISO time. */
export function toAuditEventView(row: Database["audit_events"]) {
  const event = fromRow(row);
  return { ...event, at: new Date(event.at).toISOString() };
}

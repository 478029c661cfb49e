import { newId } from "@threshold/core";
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/schema.js";

/** An incident that needs a person: open until an operator or the recipient resolves it. */
export interface NewIncident {
  visitId: string;
  siteId: string;
  kind: string;
  detail: string;
  openedAt: number;
}

/** Opens an incident in the caller's transaction (the caller records its audit event); returns its id. */
export async function insertOpenIncident(
  db: Kysely<Database> | Transaction<Database>,
  incident: NewIncident,
): Promise<string> {
  const id = newId("incident", incident.openedAt);
  await db
    .insertInto("incidents")
    .values({
      id,
      visit_id: incident.visitId,
      site_id: incident.siteId,
      kind: incident.kind,
      status: "open",
      detail: incident.detail,
      opened_at: incident.openedAt,
      resolved_at: null,
      resolved_by: null,
      resolution: null,
      door_closed_at: null,
      door_closed_by: null,
      door_closed_command_id: null,
    })
    .execute();
  return id;
}

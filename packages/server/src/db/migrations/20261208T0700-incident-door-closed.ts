import type { Kysely } from "kysely";

// An incident about a door left open records when the device proved it closed and what closed it
// (docs/garage-and-fridge.md): `door_closed_by` is watchdog, courier, owner_app, auto_close or
// at_the_door; `door_closed_command_id` the command that did it, when one did. Never edit after it
// lands; add a migration instead.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("incidents").addColumn("door_closed_at", "bigint").execute();
  await db.schema.alterTable("incidents").addColumn("door_closed_by", "text").execute();
  await db.schema.alterTable("incidents").addColumn("door_closed_command_id", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("incidents").dropColumn("door_closed_command_id").execute();
  await db.schema.alterTable("incidents").dropColumn("door_closed_by").execute();
  await db.schema.alterTable("incidents").dropColumn("door_closed_at").execute();
}

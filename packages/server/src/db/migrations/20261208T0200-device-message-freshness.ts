import type { Kysely } from "kysely";

// Hostile finding 2 and 6c (issue 15): the gateway refuses device states that are not newer than
// the last one it accepted, across restarts, and records MQTT client-id takeovers on the device.
// Never edit after it lands; add a migration instead.
export async function up(db: Kysely<unknown>): Promise<void> {
  // The device's own `at` of the newest state it accepted; null before the first.
  await db.schema.alterTable("devices").addColumn("state_at", "bigint").execute();
  // The newest `at` known to belong to a connection that is over: an offline report (last will or
  // goodbye) must be newer than this, so an old will cannot be replayed.
  await db.schema.alterTable("devices").addColumn("offline_after", "bigint").execute();
  // Client-id takeovers seen by the embedded broker: how many, and the latest.
  await db.schema
    .alterTable("devices")
    .addColumn("takeover_count", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable("devices").addColumn("last_takeover_at", "bigint").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("devices").dropColumn("last_takeover_at").execute();
  await db.schema.alterTable("devices").dropColumn("takeover_count").execute();
  await db.schema.alterTable("devices").dropColumn("offline_after").execute();
  await db.schema.alterTable("devices").dropColumn("state_at").execute();
}

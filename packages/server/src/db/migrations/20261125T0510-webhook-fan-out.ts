import type { Kysely } from "kysely";

// Durable webhook fan-out: a cursor per background worker that tails the audit log, and what ties
// a delivery to the audit event it announces (so an event is enqueued at most once per endpoint).
// Never edit after it lands; add a migration instead.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("worker_cursors")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("position", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();

  await db.schema.alterTable("webhook_deliveries").addColumn("audit_event_id", "text").execute();
  await db.schema.alterTable("webhook_deliveries").addColumn("audit_seq", "bigint").execute();
  // Whatever happens to the cursor, one audit event becomes at most one delivery per endpoint.
  await db.schema
    .createIndex("webhook_deliveries_endpoint_event")
    .on("webhook_deliveries")
    .columns(["endpoint_id", "audit_event_id"])
    .unique()
    .execute();

  // An endpoint receives the events appended after it was registered: those with a greater seq.
  await db.schema
    .alterTable("webhook_endpoints")
    .addColumn("after_seq", "bigint", (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("webhook_endpoints").dropColumn("after_seq").execute();
  await db.schema.dropIndex("webhook_deliveries_endpoint_event").execute();
  await db.schema.alterTable("webhook_deliveries").dropColumn("audit_seq").execute();
  await db.schema.alterTable("webhook_deliveries").dropColumn("audit_event_id").execute();
  await db.schema.dropTable("worker_cursors").execute();
}

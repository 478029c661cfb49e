import { type Kysely, sql } from "kysely";

// Tables of the in-home delivery flow: shipments, consent, visits, incidents, the audit chain,
// idempotency keys and webhooks. Never edit after it lands; add a migration instead.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("sites").addColumn("access_blocked_at", "bigint").execute();
  // The server's signature of each command, so a proof of delivery can show the exact signed message.
  await db.schema.alterTable("commands").addColumn("signature", "text").execute();
  // The site a command acts at, so its audit events reach that site's owner.
  await db.schema.alterTable("commands").addColumn("site_id", "text").execute();

  await db.schema
    .createTable("shipments")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("tracking_number", "text", (c) => c.notNull())
    .addColumn("carrier_id", "text", (c) => c.notNull().references("carriers.id"))
    .addColumn("recipient_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("site_id", "text", (c) => c.notNull().references("sites.id"))
    .addColumn("method", "text", (c) => c.notNull())
    .addColumn("window_start", "bigint", (c) => c.notNull())
    .addColumn("window_end", "bigint", (c) => c.notNull())
    .addColumn("length_cm", "integer")
    .addColumn("width_cm", "integer")
    .addColumn("height_cm", "integer")
    .addColumn("weight_g", "integer")
    .addColumn("perishable", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("signature_required", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("value_cents", "integer")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("courier_id", "text", (c) => c.references("users.id"))
    .addColumn("delivered_at", "bigint")
    .addColumn("delivered_visit_id", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    // Unique per carrier: one carrier's tracking numbers say nothing about another's.
    .addUniqueConstraint("shipments_carrier_tracking", ["carrier_id", "tracking_number"])
    .execute();
  await db.schema
    .createIndex("shipments_courier_window")
    .on("shipments")
    .columns(["courier_id", "window_start"])
    .execute();
  await db.schema
    .createIndex("shipments_recipient")
    .on("shipments")
    .columns(["recipient_id", "window_start"])
    .execute();
  await db.schema.createIndex("shipments_carrier").on("shipments").columns(["carrier_id", "created_at"]).execute();
  await db.schema.createIndex("shipments_site").on("shipments").column("site_id").execute();

  await db.schema
    .createTable("consents")
    .addColumn("access_point_id", "text", (c) => c.primaryKey().references("access_points.id"))
    .addColumn("site_id", "text", (c) => c.notNull().references("sites.id"))
    .addColumn("methods", "text", (c) => c.notNull())
    .addColumn("days", "text", (c) => c.notNull())
    .addColumn("from_minute", "integer", (c) => c.notNull())
    .addColumn("to_minute", "integer", (c) => c.notNull())
    .addColumn("timezone", "text", (c) => c.notNull())
    .addColumn("notes", "text", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("consents_site").on("consents").column("site_id").execute();

  await db.schema
    .createTable("visits")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("shipment_id", "text", (c) => c.notNull().references("shipments.id"))
    .addColumn("site_id", "text", (c) => c.notNull().references("sites.id"))
    .addColumn("access_point_id", "text", (c) => c.references("access_points.id"))
    .addColumn("courier_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("carrier_id", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("refusals", "text")
    .addColumn("reason", "text")
    .addColumn("courier_lat", "double precision")
    .addColumn("courier_lng", "double precision")
    .addColumn("requested_at", "bigint", (c) => c.notNull())
    .addColumn("authorized_at", "bigint")
    .addColumn("opened_at", "bigint")
    .addColumn("securing_at", "bigint")
    .addColumn("secured_at", "bigint")
    .addColumn("ended_at", "bigint")
    .addColumn("deadline_at", "bigint")
    .addColumn("camera_device_id", "text")
    .addColumn("lock_device_id", "text")
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("visits_courier").on("visits").columns(["courier_id", "requested_at"]).execute();
  await db.schema.createIndex("visits_site").on("visits").columns(["site_id", "requested_at"]).execute();
  await db.schema.createIndex("visits_shipment").on("visits").column("shipment_id").execute();
  await db.schema.createIndex("visits_status_deadline").on("visits").columns(["status", "deadline_at"]).execute();
  // At most one visit in progress per access point, enforced by the database so racing scans on
  // any number of servers get one winner (DESIGN.md rule 1: no other open visit there).
  await db.schema
    .createIndex("visits_one_in_progress_per_access_point")
    .on("visits")
    .column("access_point_id")
    .unique()
    .where(sql.ref("status"), "in", sql`('authorized', 'opening', 'open', 'securing')`)
    .execute();
  // One courier works one door at a time: the next stop opens only once this one is secured.
  await db.schema
    .createIndex("visits_one_in_progress_per_courier")
    .on("visits")
    .column("courier_id")
    .unique()
    .where(sql.ref("status"), "in", sql`('authorized', 'opening', 'open', 'securing')`)
    .execute();

  await db.schema
    .createTable("incidents")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("visit_id", "text", (c) => c.notNull().references("visits.id"))
    .addColumn("site_id", "text", (c) => c.notNull().references("sites.id"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("detail", "text", (c) => c.notNull())
    .addColumn("opened_at", "bigint", (c) => c.notNull())
    .addColumn("resolved_at", "bigint")
    .addColumn("resolved_by", "text")
    .addColumn("resolution", "text")
    .execute();
  await db.schema.createIndex("incidents_status").on("incidents").columns(["status", "opened_at"]).execute();
  await db.schema.createIndex("incidents_site").on("incidents").column("site_id").execute();

  await db.schema
    .createTable("audit_events")
    .addColumn("seq", "bigint", (c) => c.primaryKey())
    .addColumn("id", "text", (c) => c.notNull().unique())
    .addColumn("at", "bigint", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("subject_type", "text", (c) => c.notNull())
    .addColumn("subject_id", "text", (c) => c.notNull())
    .addColumn("site_id", "text")
    .addColumn("actor_type", "text", (c) => c.notNull())
    .addColumn("actor_id", "text")
    .addColumn("data", "text", (c) => c.notNull())
    .addColumn("prev_hash", "text", (c) => c.notNull())
    .addColumn("hash", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("audit_events_site").on("audit_events").columns(["site_id", "seq"]).execute();
  await db.schema.createIndex("audit_events_subject").on("audit_events").columns(["subject_id", "seq"]).execute();
  // The chain's head, one row: appending locks it, so appends from any number of processes line up.
  await db.schema
    .createTable("audit_head")
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("seq", "bigint", (c) => c.notNull())
    .addColumn("hash", "text", (c) => c.notNull())
    .execute();
  await db
    .insertInto("audit_head" as never)
    .values({ id: 1, seq: 0, hash: "0".repeat(64) } as never)
    .execute();

  await db.schema
    .createTable("idempotency_keys")
    .addColumn("scope", "text", (c) => c.notNull())
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("request_hash", "text", (c) => c.notNull())
    .addColumn("status", "integer")
    .addColumn("response", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("idempotency_keys_pk", ["scope", "key"])
    .execute();
  await db.schema.createIndex("idempotency_keys_created").on("idempotency_keys").column("created_at").execute();

  await db.schema
    .createTable("webhook_endpoints")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("carrier_id", "text", (c) => c.notNull().references("carriers.id"))
    .addColumn("url", "text", (c) => c.notNull())
    .addColumn("secret", "text", (c) => c.notNull())
    .addColumn("event_types", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("disabled_at", "bigint")
    .execute();
  await db.schema.createIndex("webhook_endpoints_carrier").on("webhook_endpoints").column("carrier_id").execute();

  await db.schema
    .createTable("webhook_deliveries")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("endpoint_id", "text", (c) => c.notNull().references("webhook_endpoints.id"))
    .addColumn("event_type", "text", (c) => c.notNull())
    .addColumn("payload", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("next_attempt_at", "bigint", (c) => c.notNull())
    .addColumn("locked_until", "bigint")
    .addColumn("last_status_code", "integer")
    .addColumn("last_error", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("delivered_at", "bigint")
    .execute();
  await db.schema
    .createIndex("webhook_deliveries_due")
    .on("webhook_deliveries")
    .columns(["status", "next_attempt_at"])
    .execute();
  await db.schema
    .createIndex("webhook_deliveries_endpoint")
    .on("webhook_deliveries")
    .columns(["endpoint_id", "created_at"])
    .execute();

  await db.schema
    .createTable("webhook_attempts")
    .addColumn("delivery_id", "text", (c) => c.notNull().references("webhook_deliveries.id"))
    .addColumn("attempt", "integer", (c) => c.notNull())
    .addColumn("at", "bigint", (c) => c.notNull())
    .addColumn("status_code", "integer")
    .addColumn("error", "text")
    .addColumn("duration_ms", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("webhook_attempts_pk", ["delivery_id", "attempt"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    "webhook_attempts",
    "webhook_deliveries",
    "webhook_endpoints",
    "idempotency_keys",
    "audit_head",
    "audit_events",
    "incidents",
    "visits",
    "consents",
    "shipments",
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.alterTable("sites").dropColumn("access_blocked_at").execute();
  await db.schema.alterTable("commands").dropColumn("signature").execute();
  await db.schema.alterTable("commands").dropColumn("site_id").execute();
}

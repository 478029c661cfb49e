import { type Kysely, sql } from "kysely";

// Codes (issue 6): one-time keypad codes programmed into a lock, offline codes derived from the
// lock's pairing secret, and that secret itself (sealed by the server's secret box, never in
// clear). Never edit after it lands; add a migration instead.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("devices").addColumn("offline_secret", "text").execute();
  await db.schema
    .createTable("access_codes")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("shipment_id", "text", (c) => c.notNull().references("shipments.id"))
    .addColumn("carrier_id", "text", (c) => c.notNull())
    .addColumn("site_id", "text", (c) => c.notNull())
    .addColumn("access_point_id", "text", (c) => c.notNull())
    .addColumn("device_id", "text", (c) => c.notNull().references("devices.id"))
    .addColumn("status", "text", (c) => c.notNull())
    // Online codes: the PIN sealed by the server's secret box, so the courier can be shown it.
    .addColumn("pin_sealed", "text")
    .addColumn("valid_from", "bigint", (c) => c.notNull())
    .addColumn("valid_until", "bigint", (c) => c.notNull())
    // Offline codes: the slot and counter they were derived from.
    .addColumn("slot", "bigint")
    .addColumn("counter", "integer")
    .addColumn("command_id", "text")
    .addColumn("failure_reason", "text")
    .addColumn("visit_id", "text")
    .addColumn("used_at", "bigint")
    .addColumn("removed_from_lock_at", "bigint")
    .addColumn("claimed_until", "bigint")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("access_codes_shipment").on("access_codes").column("shipment_id").execute();
  await db.schema.createIndex("access_codes_status").on("access_codes").columns(["status", "valid_until"]).execute();
  // One offline code per (lock, slot, counter): racing issuers get one winner each.
  await db.schema
    .createIndex("access_codes_offline_slot")
    .on("access_codes")
    .columns(["device_id", "slot", "counter"])
    .unique()
    .execute();
  // At most one live one-time code per shipment.
  await db.schema
    .createIndex("access_codes_one_live_online")
    .on("access_codes")
    .column("shipment_id")
    .unique()
    .where(sql.ref("status"), "in", sql`('setting', 'set')`)
    .execute();
  // The recipient may allow offline codes as a standing fallback, even while the lock is online.
  await db.schema
    .alterTable("consents")
    .addColumn("offline_codes", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  // A visit opened by a keypad code names it; a visit recorded after the fact says when it was reconciled.
  await db.schema.alterTable("visits").addColumn("access_code_id", "text").execute();
  await db.schema.alterTable("visits").addColumn("reconciled_at", "bigint").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("visits").dropColumn("reconciled_at").execute();
  await db.schema.alterTable("visits").dropColumn("access_code_id").execute();
  await db.schema.alterTable("consents").dropColumn("offline_codes").execute();
  await db.schema.dropTable("access_codes").execute();
  await db.schema.alterTable("devices").dropColumn("offline_secret").execute();
}

import { type Kysely, sql } from "kysely";

// Parcel lockers (issue 7, docs/lockers.md): banks of compartments at a building, the building's
// residents, the parcels and returns that pass through them, and the kiosk's wrong-code count.
// Never edit after it lands; add a migration instead.
export async function up(db: Kysely<unknown>): Promise<void> {
  // A locker shipment's temperature class (ambient, chilled, frozen); null for other methods.
  await db.schema.alterTable("shipments").addColumn("locker_temperature", "text").execute();
  await db.schema
    .createTable("locker_banks")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("site_id", "text", (c) => c.notNull().references("sites.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("controller_device_id", "text", (c) => c.notNull().references("devices.id"))
    .addColumn("pickup_period_s", "integer", (c) => c.notNull())
    .addColumn("overflow_distance_m", "integer", (c) => c.notNull())
    .addColumn("package_room", "text")
    .addColumn("wrong_code_limit", "integer", (c) => c.notNull())
    .addColumn("lockout_s", "integer", (c) => c.notNull())
    // Set while the controller is offline: pickup periods are extended by the outage when it is back.
    .addColumn("offline_since", "bigint")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("locker_banks_site").on("locker_banks").column("site_id").execute();
  await db.schema
    .createIndex("locker_banks_controller")
    .on("locker_banks")
    .column("controller_device_id")
    .unique()
    .execute();

  await db.schema
    .createTable("compartments")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("bank_id", "text", (c) => c.notNull().references("locker_banks.id"))
    .addColumn("number", "integer", (c) => c.notNull())
    .addColumn("width_cm", "integer", (c) => c.notNull())
    .addColumn("height_cm", "integer", (c) => c.notNull())
    .addColumn("depth_cm", "integer", (c) => c.notNull())
    .addColumn("size_class", "text", (c) => c.notNull())
    .addColumn("temperature", "text", (c) => c.notNull())
    .addColumn("accessible", "integer", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("resident_id", "text")
    // Every change bumps it; a reservation is a compare-and-set on it, so two never both win.
    .addColumn("version", "integer", (c) => c.notNull())
    // The controller's deposit counter as last reported: the pickup code derives from it.
    .addColumn("deposits", "integer", (c) => c.notNull())
    .addColumn("out_of_service_reason", "text")
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("compartments_bank_number")
    .on("compartments")
    .columns(["bank_id", "number"])
    .unique()
    .execute();

  await db.schema
    .createTable("building_residents")
    .addColumn("site_id", "text", (c) => c.notNull().references("sites.id"))
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("unit", "text", (c) => c.notNull())
    .addColumn("accessible", "integer", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("building_residents_pk", ["site_id", "user_id"])
    .execute();

  await db.schema
    .createTable("locker_parcels")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("shipment_id", "text")
    .addColumn("label", "text", (c) => c.notNull())
    .addColumn("bank_id", "text", (c) => c.notNull().references("locker_banks.id"))
    .addColumn("compartment_id", "text", (c) => c.notNull().references("compartments.id"))
    .addColumn("resident_id", "text", (c) => c.notNull())
    .addColumn("carrier_id", "text", (c) => c.notNull())
    .addColumn("courier_id", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("length_cm", "integer", (c) => c.notNull())
    .addColumn("width_cm", "integer", (c) => c.notNull())
    .addColumn("height_cm", "integer", (c) => c.notNull())
    .addColumn("temperature", "text", (c) => c.notNull())
    .addColumn("overflow", "integer", (c) => c.notNull())
    .addColumn("drop_code_hash", "text")
    .addColumn("deposits", "integer")
    .addColumn("deposited_at", "bigint")
    .addColumn("expires_at", "bigint")
    .addColumn("extended", "integer", (c) => c.notNull())
    .addColumn("reminded_at", "bigint")
    .addColumn("picked_up_at", "bigint")
    .addColumn("collected_at", "bigint")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("locker_parcels_compartment")
    .on("locker_parcels")
    .columns(["compartment_id", "status"])
    .execute();
  await db.schema.createIndex("locker_parcels_bank").on("locker_parcels").columns(["bank_id", "status"]).execute();
  await db.schema.createIndex("locker_parcels_resident").on("locker_parcels").column("resident_id").execute();
  await db.schema
    .createIndex("locker_parcels_status_expiry")
    .on("locker_parcels")
    .columns(["status", "expires_at"])
    .execute();
  // One live locker parcel per shipment: a courier's retried scan finds the same reservation.
  await db.schema
    .createIndex("locker_parcels_one_live_per_shipment")
    .on("locker_parcels")
    .column("shipment_id")
    .unique()
    .where(sql.ref("status"), "in", sql`('reserved', 'open', 'in_locker', 'opening_for_pickup')`)
    .execute();

  await db.schema
    .createTable("locker_parcel_shares")
    .addColumn("parcel_id", "text", (c) => c.notNull().references("locker_parcels.id"))
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("locker_parcel_shares_pk", ["parcel_id", "user_id"])
    .execute();

  await db.schema
    .createTable("locker_code_failures")
    .addColumn("bank_id", "text", (c) => c.notNull())
    .addColumn("at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("locker_code_failures_bank")
    .on("locker_code_failures")
    .columns(["bank_id", "at"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("locker_code_failures").execute();
  await db.schema.dropTable("locker_parcel_shares").execute();
  await db.schema.dropTable("locker_parcels").execute();
  await db.schema.dropTable("building_residents").execute();
  await db.schema.dropTable("compartments").execute();
  await db.schema.dropTable("locker_banks").execute();
  await db.schema.alterTable("shipments").dropColumn("locker_temperature").execute();
}

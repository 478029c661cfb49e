import type { Kysely } from "kysely";

// In-car delivery (issue 8, docs/in-car-delivery.md): a recipient's car, the vehicle device that
// speaks for it and the trunk access point it opens through. Never edit after it lands; add a
// migration instead.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("cars")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("owner_id", "text", (c) => c.notNull().references("users.id"))
    // The home whose address trunk deliveries are addressed to; the car must be parked near it.
    .addColumn("site_id", "text", (c) => c.notNull().references("sites.id"))
    .addColumn("make", "text", (c) => c.notNull())
    .addColumn("model", "text", (c) => c.notNull())
    .addColumn("colour", "text", (c) => c.notNull())
    .addColumn("plate", "text", (c) => c.notNull())
    // A small JPEG or PNG as a data: URL, shown to the courier at the stop.
    .addColumn("photo", "text")
    // Set once paired: the vehicle device and the trunk access point made for it.
    .addColumn("device_id", "text", (c) => c.references("devices.id"))
    .addColumn("access_point_id", "text", (c) => c.references("access_points.id"))
    .addColumn("trunk_delivery", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("position_sharing", "text", (c) => c.notNull())
    .addColumn("require_camera", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("fallback", "text", (c) => c.notNull())
    .addColumn("fallback_note", "text", (c) => c.notNull())
    .addColumn("trunk_length_cm", "integer", (c) => c.notNull())
    .addColumn("trunk_width_cm", "integer", (c) => c.notNull())
    .addColumn("trunk_height_cm", "integer", (c) => c.notNull())
    .addColumn("max_weight_g", "integer", (c) => c.notNull())
    .addColumn("max_value_cents", "bigint", (c) => c.notNull())
    .addColumn("blocked_at", "bigint")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addColumn("removed_at", "bigint")
    .execute();
  await db.schema.createIndex("cars_owner").on("cars").column("owner_id").execute();
  await db.schema.createIndex("cars_access_point").on("cars").column("access_point_id").execute();
  await db.schema.createIndex("cars_device").on("cars").column("device_id").execute();
  // Where the car was when the trunk visit was authorized: moving away from it during the visit is an incident.
  await db.schema.alterTable("visits").addColumn("car_lat", "double precision").execute();
  await db.schema.alterTable("visits").addColumn("car_lng", "double precision").execute();
  // Returns from the trunk: the recipient leaves a parcel for the courier to collect (same visit, reversed).
  await db.schema
    .alterTable("shipments")
    .addColumn("direction", "text", (c) => c.notNull().defaultTo("delivery"))
    .execute();
}

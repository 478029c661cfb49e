import type { Kysely } from "kysely";

// Guest keys (issue 6, docs/guest-keys.md): PINs a recipient gives to a cleaner, a dog walker,
// family, each with the rules of a Matter DoorLock user type. Never edit after it lands; add a
// migration instead.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("guest_keys")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("site_id", "text", (c) => c.notNull().references("sites.id"))
    .addColumn("access_point_id", "text", (c) => c.notNull())
    .addColumn("device_id", "text", (c) => c.notNull().references("devices.id"))
    .addColumn("owner_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("pin_sealed", "text", (c) => c.notNull())
    .addColumn("share_sealed", "text", (c) => c.notNull())
    // SHA-256 of the share link's token: the link is looked up by it, and a leaked table reveals no link.
    .addColumn("share_digest", "text", (c) => c.notNull().unique())
    .addColumn("valid_from", "bigint", (c) => c.notNull())
    .addColumn("valid_until", "bigint", (c) => c.notNull())
    .addColumn("week_days", "text")
    .addColumn("start_minute", "integer")
    .addColumn("end_minute", "integer")
    .addColumn("time_zone", "text")
    .addColumn("expires_after_use_s", "integer")
    .addColumn("use_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("first_used_at", "bigint")
    .addColumn("last_used_at", "bigint")
    // The lock re-sends a use it is not sure arrived: the same report is counted once.
    .addColumn("last_use_event_id", "text")
    .addColumn("command_id", "text")
    .addColumn("failure_reason", "text")
    .addColumn("revoked_at", "bigint")
    .addColumn("removed_from_lock_at", "bigint")
    .addColumn("claimed_until", "bigint")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("guest_keys_site").on("guest_keys").columns(["site_id", "created_at"]).execute();
  await db.schema.createIndex("guest_keys_device").on("guest_keys").columns(["device_id", "status"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("guest_keys").execute();
}

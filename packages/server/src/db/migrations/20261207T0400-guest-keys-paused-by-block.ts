import type { Kysely } from "kysely";

// Blocking all access pauses guest keys too (docs/guest-keys.md#when-access-is-blocked): the lock
// forgets their PINs while the block lasts and is given them again when it ends. Never edit after
// it lands; add a migration instead.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("guest_keys").addColumn("paused_at", "bigint").execute();
  // What the lock still has to be told about the pause: `remove` or `restore`; null once it confirmed.
  await db.schema.alterTable("guest_keys").addColumn("lock_change", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("guest_keys").dropColumn("lock_change").execute();
  await db.schema.alterTable("guest_keys").dropColumn("paused_at").execute();
}

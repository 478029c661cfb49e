import type { Kysely } from "kysely";

// A kiosk's wrong codes are counted per source (docs/lockers.md, "The kiosk"): `source` names the
// signed-in account that typed them, null for the anonymous keypad (counted per bank, as before).
// Never edit after it lands; add a migration instead.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("locker_code_failures").addColumn("source", "text").execute();
  await db.schema
    .createIndex("locker_code_failures_source")
    .on("locker_code_failures")
    .columns(["bank_id", "source", "at"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("locker_code_failures_source").execute();
  await db.schema.alterTable("locker_code_failures").dropColumn("source").execute();
}

import type { Kysely } from "kysely";

// Codes the block switch withdraws, and offline codes a carrier withdraws through their lock
// (docs/access-codes.md, docs/offline-codes.md): why a code was removed, and when. Never edit
// after it lands; add a migration instead.
export async function up(db: Kysely<unknown>): Promise<void> {
  // `carrier` (DELETE by its carrier) or `access_blocked` (the recipient's block switch); null before removal.
  await db.schema.alterTable("access_codes").addColumn("removed_reason", "text").execute();
  await db.schema.alterTable("access_codes").addColumn("removed_at", "bigint").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("access_codes").dropColumn("removed_at").execute();
  await db.schema.alterTable("access_codes").dropColumn("removed_reason").execute();
}

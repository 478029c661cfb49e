import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.js";

export function findConsent(db: Kysely<Database>, accessPointId: string) {
  return db.selectFrom("consents").selectAll().where("access_point_id", "=", accessPointId).executeTakeFirst();
}

/** Consent rows per access point id. */
export async function consentsOfAccessPoints(
  db: Kysely<Database>,
  accessPointIds: readonly string[],
): Promise<Map<string, Database["consents"]>> {
  if (accessPointIds.length === 0) return new Map();
  const rows = await db.selectFrom("consents").selectAll().where("access_point_id", "in", accessPointIds).execute();
  return new Map(rows.map((row) => [row.access_point_id, row]));
}

/** One consent per access point: setting it again replaces it. */
export async function upsertConsent(db: Kysely<Database>, row: Database["consents"]): Promise<void> {
  const { access_point_id: _key, ...changes } = row;
  await db
    .insertInto("consents")
    .values(row)
    .onConflict((oc) => oc.column("access_point_id").doUpdateSet(changes))
    .execute();
}

/** The owner's sites, or just `siteId` when it is theirs. */
export function ownSites(db: Kysely<Database>, ownerId: string, siteId?: string) {
  let query = db.selectFrom("sites").select(["id", "access_blocked_at"]).where("owner_id", "=", ownerId);
  if (siteId !== undefined) query = query.where("id", "=", siteId);
  return query.orderBy("created_at").orderBy("id").execute();
}

/**
 * Sets or clears the block on the given sites, touching only those whose state changes (so a
 * repeated call changes nothing and records nothing); returns the ids it changed.
 */
export async function setAccessBlocked(
  db: Kysely<Database>,
  siteIds: readonly string[],
  blockedAt: number | null,
): Promise<string[]> {
  if (siteIds.length === 0) return [];
  const rows = await db
    .updateTable("sites")
    .set({ access_blocked_at: blockedAt })
    .where("id", "in", siteIds)
    .where("access_blocked_at", blockedAt === null ? "is not" : "is", null)
    .returning("id")
    .execute();
  return rows.map((row) => row.id);
}

/**
 * In a transaction that gives someone a way into a site: true when the site is not blocked. The
 * no-op update holds the site's row until commit (PostgreSQL), so a block waits for it and then
 * sees what it gave; a block that came first makes this false. SQLite runs one writer at a time.
 */
export async function holdUnblockedSite(db: Kysely<Database>, siteId: string) {
  const result = await db
    .updateTable("sites")
    .set({ access_blocked_at: null })
    .where("id", "=", siteId)
    .where("access_blocked_at", "is", null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

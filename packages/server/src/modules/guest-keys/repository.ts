import type { Kysely, Transaction, Updateable } from "kysely";
import type { Database } from "../../db/schema.js";
import type { GuestKeyRow, GuestKeyStatus } from "./schemas.js";

type Db = Kysely<Database> | Transaction<Database>;

/** Keys that may still open the lock as far as Threshold knows; a new PIN must differ from theirs. */
export const LIVE_STATUSES: GuestKeyStatus[] = ["setting", "active"];

export function insertGuestKey(db: Db, row: GuestKeyRow) {
  return db.insertInto("guest_keys").values(row).execute();
}

export function findGuestKey(db: Db, id: string): Promise<GuestKeyRow | undefined> {
  return db.selectFrom("guest_keys").selectAll().where("id", "=", id).executeTakeFirst();
}

export function findGuestKeyByShareDigest(db: Db, digest: string): Promise<GuestKeyRow | undefined> {
  return db.selectFrom("guest_keys").selectAll().where("share_digest", "=", digest).executeTakeFirst();
}

export function guestKeysOfSite(db: Db, siteId: string): Promise<GuestKeyRow[]> {
  return db
    .selectFrom("guest_keys")
    .selectAll()
    .where("site_id", "=", siteId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .execute();
}

/** The sealed PINs of the keys a lock may still hold, to draw a new PIN that differs from all. */
export function livePinsOfLock(db: Db, deviceId: string) {
  return db
    .selectFrom("guest_keys")
    .select(["id", "pin_sealed"])
    .where("device_id", "=", deviceId)
    .where("status", "in", LIVE_STATUSES)
    .execute();
}

/** The keys of these sites that may still open a door and are not paused: what a block pauses. */
export function unpausedLiveKeys(db: Db, siteIds: readonly string[]): Promise<GuestKeyRow[]> {
  if (siteIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom("guest_keys")
    .selectAll()
    .where("site_id", "in", siteIds)
    .where("status", "in", LIVE_STATUSES)
    .where("paused_at", "is", null)
    .execute();
}

/** The paused keys of these sites, ended since or not: what lifting a block concerns. */
export function pausedKeys(db: Db, siteIds: readonly string[]): Promise<GuestKeyRow[]> {
  if (siteIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom("guest_keys")
    .selectAll()
    .where("site_id", "in", siteIds)
    .where("paused_at", "is not", null)
    .execute();
}

/** The same change to several keys, in one statement. */
export async function updateGuestKeys(
  db: Db,
  ids: readonly string[],
  changes: Updateable<Database["guest_keys"]>,
): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable("guest_keys").set(changes).where("id", "in", ids).execute();
}

/**
 * Per site: the live keys paused by its block and how many of their locks have not confirmed they
 * forgot the PIN yet (`pending`), and the keys no longer paused whose lock has not confirmed it has
 * the PIN back yet (`restoring`).
 */
export async function guestKeyPauseCounts(
  db: Db,
  siteIds: readonly string[],
): Promise<Map<string, { paused: number; pending: number; restoring: number }>> {
  if (siteIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("guest_keys")
    .select(["site_id", "paused_at", "lock_change"])
    .where("site_id", "in", siteIds)
    .where("status", "in", LIVE_STATUSES)
    .where((eb) => eb.or([eb("paused_at", "is not", null), eb("lock_change", "=", "restore")]))
    .execute();
  const counts = new Map<string, { paused: number; pending: number; restoring: number }>();
  for (const row of rows) {
    const count = counts.get(row.site_id) ?? { paused: 0, pending: 0, restoring: 0 };
    if (row.paused_at !== null) count.paused += 1;
    if (row.paused_at !== null && row.lock_change === "remove") count.pending += 1;
    if (row.paused_at === null && row.lock_change === "restore") count.restoring += 1;
    counts.set(row.site_id, count);
  }
  return counts;
}

/** Moves a key from one of `from` to `to`; false when another writer moved it first. */
export async function transitionGuestKey(
  db: Db,
  id: string,
  from: readonly GuestKeyStatus[],
  to: GuestKeyStatus,
  changes: Updateable<Database["guest_keys"]> = {},
): Promise<boolean> {
  const result = await db
    .updateTable("guest_keys")
    .set({ ...changes, status: to })
    .where("id", "=", id)
    .where("status", "in", from)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** The names of access points, for answers that say which door. */
export async function accessPointNames(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom("access_points").select(["id", "name"]).where("id", "in", ids).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

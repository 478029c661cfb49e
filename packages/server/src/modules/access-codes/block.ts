import { OFFLINE_CODE_DEFAULT_SKEW_S } from "@threshold/core";
import type { Kysely, Transaction } from "kysely";
import type { AuditActor, Record_ } from "../../audit/audit-log.js";
import type { Database } from "../../db/schema.js";
import { codeEventData, shipmentOf } from "./service.js";

/** What blocking withdrew: the codes each lock is owed a removal of, and the visits that were waiting for one. */
export interface WithdrawnByBlock {
  codeIds: string[];
  /** Visits `authorized` or `opening` for one of those codes: they must end, not open. */
  visitIds: string[];
}

/**
 * The block switch withdraws every one-time code of the sites it blocks that a lock holds or is
 * being given, in the block's own transaction: from that commit no check-in can enable them and a
 * use the lock reports is not believed. Each lock is owed a pin_remove (sent by the caller once
 * committed, or by the worker when the lock is back). They stay withdrawn when the block is
 * lifted: the carrier asks for a new code. Offline codes are not touched (see `blockCodeCounts`).
 */
export async function withdrawCodesForBlock(
  trx: Transaction<Database>,
  record: Record_,
  siteIds: readonly string[],
  actor: AuditActor,
  now: number,
): Promise<WithdrawnByBlock> {
  if (siteIds.length === 0) return { codeIds: [], visitIds: [] };
  const rows = await trx
    .selectFrom("access_codes")
    .selectAll()
    .where("site_id", "in", [...siteIds])
    .where("kind", "=", "online")
    .where("status", "in", ["setting", "set"])
    .execute();
  if (rows.length === 0) return { codeIds: [], visitIds: [] };
  const codeIds = rows.map((row) => row.id);
  await trx
    .updateTable("access_codes")
    .set({ status: "removed", removed_reason: "access_blocked", removed_at: now, updated_at: now })
    .where("id", "in", codeIds)
    .where("status", "in", ["setting", "set"])
    .execute();
  for (const row of rows) {
    record({
      type: "access_code.removed",
      subjectType: "access_code",
      subjectId: row.id,
      siteId: row.site_id,
      actor,
      data: { ...codeEventData(row, await shipmentOf(trx, row.shipment_id)), reason: "access_blocked" },
    });
  }
  const visits = await trx
    .selectFrom("visits")
    .select("id")
    .where("access_code_id", "in", codeIds)
    .where("status", "in", ["authorized", "opening"])
    .execute();
  return { codeIds, visitIds: visits.map((visit) => visit.id) };
}

export interface BlockCodeCounts {
  /** One-time codes the block withdrew (while the site is blocked). */
  withdrawn: number;
  /** Of those, the codes whose lock has not confirmed it forgot them: until it does, they still open. */
  pending: number;
  /** Offline codes given out and not yet past their hour: a lock with no network takes them, block or not. */
  offlineOutstanding: number;
}

/** Per site: what the block did to codes, and what it could not stop. */
export async function blockCodeCounts(
  db: Kysely<Database>,
  sites: readonly { id: string; access_blocked_at: number | null }[],
  now: number,
): Promise<Map<string, BlockCodeCounts>> {
  const counts = new Map<string, BlockCodeCounts>();
  for (const site of sites) counts.set(site.id, { withdrawn: 0, pending: 0, offlineOutstanding: 0 });
  const blocked = sites.filter((site) => site.access_blocked_at !== null).map((site) => site.id);
  if (blocked.length === 0) return counts;
  const withdrawn = await db
    .selectFrom("access_codes")
    .select(["site_id", "removed_from_lock_at", "removed_at"])
    .where("site_id", "in", blocked)
    .where("removed_reason", "=", "access_blocked")
    .where("status", "=", "removed")
    .execute();
  const blockedAt = new Map(sites.map((site) => [site.id, site.access_blocked_at ?? 0]));
  for (const row of withdrawn) {
    const count = counts.get(row.site_id);
    if (!count) continue;
    // This block's codes; one an earlier block withdrew counts only while its lock has still not heard.
    if (Number(row.removed_at ?? 0) >= Number(blockedAt.get(row.site_id) ?? 0)) count.withdrawn += 1;
    if (row.removed_from_lock_at === null) count.pending += 1;
  }
  const offline = await db
    .selectFrom("access_codes")
    .select("site_id")
    .where("site_id", "in", blocked)
    .where("kind", "=", "offline")
    .where("status", "in", ["issued", "removing"])
    .where("valid_until", ">", now - OFFLINE_CODE_DEFAULT_SKEW_S * 1000)
    .execute();
  for (const row of offline) {
    const count = counts.get(row.site_id);
    if (count) count.offlineOutstanding += 1;
  }
  return counts;
}

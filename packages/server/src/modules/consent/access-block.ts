import { notFound } from "@threshold/core";
import Type, { type Static } from "typebox";
import type { Actor } from "../../http/actor.js";
import { idParam, requireRole } from "../../http/ownership.js";
import { blockCodeCounts, type WithdrawnByBlock, withdrawCodesForBlock } from "../access-codes/block.js";
import { takeCodeOffLockById } from "../access-codes/lock-removal.js";
import { guestKeyPauseCounts } from "../guest-keys/repository.js";
import { type GuestKeyCtx, GuestKeyService } from "../guest-keys/service.js";
import { VisitService } from "../visits/service.js";
import { ownSites, setAccessBlocked } from "./repository.js";

export const BlockBody = Type.Object(
  { siteId: Type.Optional(idParam("site", "Only this site of yours; all your sites when left out.")) },
  { additionalProperties: false },
);
export type BlockBody = Static<typeof BlockBody>;

export const BlockResult = Type.Object({
  sites: Type.Array(
    Type.Object({
      siteId: Type.String({ description: "sit_…" }),
      blocked: Type.Boolean(),
      blockedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()], {
        description: "Since when access has been blocked (the first block, when blocked twice).",
      }),
      guestKeysPaused: Type.Integer({ description: "Guest keys of the site paused by the block." }),
      guestKeysPending: Type.Integer({
        description:
          "Of those, the keys whose lock has not confirmed it forgot the PIN (it may be offline): until it does, the PIN still opens the door. Threshold keeps trying.",
      }),
      guestKeysRestoring: Type.Integer({
        description:
          "After unblocking: keys whose lock has not yet confirmed it has the PIN back (it may be offline or slow): until it does, that PIN does not open the door. Threshold keeps trying.",
      }),
      accessCodesWithdrawn: Type.Integer({
        description:
          "Carriers' one-time codes the block withdrew (a courier's check-in waiting for one ended). They stay withdrawn when the block is lifted.",
      }),
      accessCodesPending: Type.Integer({
        description:
          "Withdrawn codes whose lock has not confirmed it forgot them (it may be offline): until it does, such a code still opens the door once. Threshold tells the lock the moment it is back; a use meanwhile raises an incident.",
      }),
      offlineCodesOutstanding: Type.Integer({
        description:
          "Offline codes already given to couriers and not yet past their hour: a lock with no network takes them by itself, so the block cannot stop them. A use during the block raises an incident.",
      }),
    }),
    { description: "The sites the call applied to, with their state after it." },
  ),
});
export type BlockResult = Static<typeof BlockResult>;

/**
 * The recipient's big red button: blocked sites refuse every access at once, including visits
 * already authorized but not yet open (the visit flow re-reads the block just before unlocking),
 * and their guest keys are paused: the locks forget the PINs until the block is lifted. Carriers'
 * one-time codes are withdrawn for good (docs/access-codes.md#when-access-is-blocked), and a
 * check-in waiting for one ends.
 * Each site that changes is recorded; blocking a blocked site keeps its first time.
 */
export async function setAccessBlock(
  ctx: GuestKeyCtx,
  actor: Actor,
  blocked: boolean,
  body: BlockBody,
): Promise<BlockResult> {
  const user = requireRole(actor, ["recipient"], blocked ? "block access" : "unblock access");
  const siteId = body.siteId;
  const now = ctx.clock.now();
  const guestKeys = new GuestKeyService(ctx);
  const by = { type: "user", id: user.userId } as const;
  let changedKeys: string[] = [];
  let withdrawn: WithdrawnByBlock = { codeIds: [], visitIds: [] };
  const sites = await ctx.audit.transaction(async (trx, record) => {
    const targets = await ownSites(trx, user.userId, siteId);
    if (siteId !== undefined && targets.length === 0) throw notFound("site");
    const changed = new Set(
      await setAccessBlocked(
        trx,
        targets.map((site) => site.id),
        blocked ? now : null,
      ),
    );
    for (const site of targets) {
      if (!changed.has(site.id)) continue;
      record({
        type: blocked ? "access.blocked" : "access.unblocked",
        subjectType: "site",
        subjectId: site.id,
        siteId: site.id,
        actor: by,
      });
    }
    changedKeys = blocked
      ? await guestKeys.pause(trx, record, [...changed], by)
      : await guestKeys.resume(trx, record, [...changed], by);
    // Codes of blocked sites, including sites blocked before (a code set since must not outlive the block).
    if (blocked) {
      const blockedIds = targets.map((site) => site.id);
      withdrawn = await withdrawCodesForBlock(trx, record, blockedIds, by, now);
    }
    return ownSites(trx, user.userId, siteId);
  });
  // The block holds from its commit; the locks are told now, each waited for a few seconds at most.
  const visits = new VisitService(ctx);
  await Promise.all([
    ...changedKeys.map((id) => guestKeys.syncPauseOf(id)),
    ...withdrawn.codeIds.map((id) => takeCodeOffLockById(ctx, id)),
    ...withdrawn.visitIds.map((id) => visits.abortForBlock(id)),
  ]);
  const counts = await guestKeyPauseCounts(
    ctx.db,
    sites.map((site) => site.id),
  );
  const codeCounts = await blockCodeCounts(ctx.db, sites, ctx.clock.now());
  return {
    sites: sites.map((site) => ({
      siteId: site.id,
      blocked: site.access_blocked_at !== null,
      blockedAt: site.access_blocked_at === null ? null : new Date(site.access_blocked_at).toISOString(),
      guestKeysPaused: counts.get(site.id)?.paused ?? 0,
      guestKeysPending: counts.get(site.id)?.pending ?? 0,
      guestKeysRestoring: counts.get(site.id)?.restoring ?? 0,
      accessCodesWithdrawn: codeCounts.get(site.id)?.withdrawn ?? 0,
      accessCodesPending: codeCounts.get(site.id)?.pending ?? 0,
      offlineCodesOutstanding: codeCounts.get(site.id)?.offlineOutstanding ?? 0,
    })),
  };
}

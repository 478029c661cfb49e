import type { CommandMessage } from "@threshold/protocol";
import { SYSTEM_ACTOR } from "../../audit/audit-log.js";
import type { AppContext } from "../../context.js";
import { findAccessCode } from "./repository.js";
import type { AccessCodeRow } from "./schemas.js";
import { codeEventData, shipmentOf } from "./service.js";

/** How long the lock is waited for: the block's answer and a carrier's DELETE wait this long at most. */
export const LOCK_ANSWER_MS = 5_000;
/** A removal is claimed for this long; a process that dies holding one leaves it to another after that. */
const REMOVAL_CLAIM_MS = 15_000;

type Ctx = Pick<AppContext, "db" | "audit" | "clock" | "commands" | "log">;
export type CodeToRemove = Pick<AccessCodeRow, "id" | "kind" | "device_id" | "site_id" | "slot" | "counter">;

/**
 * Tells a code's lock to stop taking it and waits a few seconds: an online code is forgotten
 * (`pin_remove`), a withdrawn offline code is refused from now on (`offline_code_revoke`). True
 * once the lock confirmed; the confirmation is recorded, and a withdrawn offline code becomes
 * `removed`. Claimed first, so one process at a time talks to the lock; an offline lock is not
 * sent to at all, and a claim on a lock that went away is let go, so the worker tells the lock the
 * moment it is back.
 */
export async function takeCodeOffLock(ctx: Ctx, row: CodeToRemove): Promise<boolean> {
  if (!(await lockConnected(ctx, row.device_id))) return false;
  if (!(await claim(ctx, row.id))) return false;
  try {
    const attempt = await ctx.commands.send(row.device_id, ...commandFor(row), {
      siteId: row.site_id,
      ttlMs: LOCK_ANSWER_MS,
    });
    if ((await attempt.outcome).status !== "succeeded") {
      if (!(await lockConnected(ctx, row.device_id))) await releaseClaim(ctx, row.id);
      return false;
    }
  } catch (err) {
    ctx.log.warn({ err, accessCodeId: row.id }, "code removal not sent; retried later");
    await releaseClaim(ctx, row.id);
    return false;
  }
  const now = ctx.clock.now();
  return ctx.audit.transaction(async (trx, record) => {
    const done = await trx
      .updateTable("access_codes")
      .set({ removed_from_lock_at: now, claimed_until: null, updated_at: now })
      .where("id", "=", row.id)
      .where("removed_from_lock_at", "is", null)
      .executeTakeFirst();
    if (done.numUpdatedRows === 0n) return false;
    // A withdrawn offline code is removed once its lock refuses it (a use the lock reported first made it used).
    await trx
      .updateTable("access_codes")
      .set({ status: "removed" })
      .where("id", "=", row.id)
      .where("status", "=", "removing")
      .execute();
    const code = await findAccessCode(trx, row.id);
    if (!code) return false;
    record({
      type: "access_code.removed_from_lock",
      subjectType: "access_code",
      subjectId: row.id,
      siteId: row.site_id,
      actor: SYSTEM_ACTOR,
      data: { ...codeEventData(code, await shipmentOf(trx, code.shipment_id)), status: code.status },
    });
    return true;
  });
}

/** `takeCodeOffLock` for a code by id, as it is now. */
export async function takeCodeOffLockById(ctx: Ctx, codeId: string): Promise<boolean> {
  const row = await findAccessCode(ctx.db, codeId);
  return row ? takeCodeOffLock(ctx, row) : false;
}

function commandFor(row: CodeToRemove): ["pin_remove" | "offline_code_revoke", CommandMessage["params"]] {
  if (row.kind === "offline" && row.slot !== null && row.counter !== null) {
    return ["offline_code_revoke", { codeId: row.id, slot: Number(row.slot), counter: Number(row.counter) }];
  }
  return ["pin_remove", { codeId: row.id }];
}

async function lockConnected(ctx: Ctx, deviceId: string): Promise<boolean> {
  const lock = await ctx.db.selectFrom("devices").select("online").where("id", "=", deviceId).executeTakeFirst();
  return lock?.online === 1;
}

async function claim(ctx: Ctx, codeId: string): Promise<boolean> {
  const now = ctx.clock.now();
  const claimed = await ctx.db
    .updateTable("access_codes")
    .set({ claimed_until: now + REMOVAL_CLAIM_MS })
    .where("id", "=", codeId)
    .where("removed_from_lock_at", "is", null)
    .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<", now)]))
    .executeTakeFirst();
  return claimed.numUpdatedRows > 0n;
}

function releaseClaim(ctx: Ctx, codeId: string) {
  return ctx.db.updateTable("access_codes").set({ claimed_until: null }).where("id", "=", codeId).execute();
}

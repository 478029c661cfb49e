import { OFFLINE_CODE_DEFAULT_SKEW_S } from "@threshold/core";
import type { AuditActor } from "../../audit/audit-log.js";
import type { AppContext } from "../../context.js";
import { PeriodicWorker } from "../../workers/periodic-worker.js";
import { findAccessCode, transitionCode } from "./repository.js";
import { AccessCodeService, codeEventData, shipmentOf } from "./service.js";

const SYSTEM: AuditActor = { type: "system", id: null };
/** A removal is claimed for this long; a process that dies holding it leaves it to another after that. */
const REMOVAL_CLAIM_MS = 60_000;
const BATCH = 100;

/**
 * Keeps codes honest on every server process at once, without a leader: expires codes whose
 * window is over, takes used, expired and removed codes off their lock (pin_remove, retried until
 * the lock confirms), and closes codes a crash left `setting`. Every row is claimed by a
 * conditional update before it is acted on, so two processes never act on the same one.
 */
export class AccessCodeWorker extends PeriodicWorker {
  private readonly codes: AccessCodeService;

  constructor(private readonly ctx: AppContext) {
    super("access code worker", ctx.log);
    this.codes = new AccessCodeService(ctx);
  }

  /** One pass; tests call it directly. Removals run beside it, so one offline lock holds up nothing. */
  async tick(): Promise<void> {
    await this.expire();
    await this.closeStuckSettings();
    await this.removeFromLocks();
  }

  private async expire(): Promise<void> {
    const now = this.ctx.clock.now();
    const skewMs = OFFLINE_CODE_DEFAULT_SKEW_S * 1000;
    const rows = await this.ctx.db
      .selectFrom("access_codes")
      .select(["id", "kind", "status"])
      .where((eb) =>
        eb.or([
          eb.and([eb("status", "=", "set"), eb("valid_until", "<=", now)]),
          // An offline code is expired only once the lock, allowing for skew, would refuse it too.
          eb.and([eb("status", "=", "issued"), eb("valid_until", "<=", now - skewMs)]),
        ]),
      )
      .limit(BATCH)
      .execute();
    for (const { id, status } of rows) {
      await this.ctx.audit.transaction(async (trx, record) => {
        if (!(await transitionCode(trx, id, [status as "set" | "issued"], "expired", { updated_at: now }))) return;
        const row = await findAccessCode(trx, id);
        if (!row) return;
        record({
          type: "access_code.expired",
          subjectType: "access_code",
          subjectId: id,
          siteId: row.site_id,
          actor: SYSTEM,
          data: codeEventData(row, await shipmentOf(trx, row.shipment_id)),
        });
      });
    }
  }

  /** A `setting` code whose pin_set command was closed (its process died before settling it) follows that command. */
  private async closeStuckSettings(): Promise<void> {
    const rows = await this.ctx.db
      .selectFrom("access_codes")
      .innerJoin("commands", "commands.id", "access_codes.command_id")
      .select(["access_codes.id", "commands.status", "commands.reason"])
      .where("access_codes.status", "=", "setting")
      .where("commands.status", "!=", "created")
      .limit(BATCH)
      .execute();
    for (const row of rows) {
      await this.codes.settle(row.id, { status: row.status as "succeeded", reason: row.reason });
    }
  }

  private async removeFromLocks(): Promise<void> {
    const now = this.ctx.clock.now();
    const rows = await this.ctx.db
      .selectFrom("access_codes")
      .select(["id", "device_id", "site_id"])
      .where("kind", "=", "online")
      .where("status", "in", ["used", "expired", "removed"])
      .where("removed_from_lock_at", "is", null)
      .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<", now)]))
      .limit(BATCH)
      .execute();
    for (const row of rows) {
      const claimed = await this.ctx.db
        .updateTable("access_codes")
        .set({ claimed_until: now + REMOVAL_CLAIM_MS })
        .where("id", "=", row.id)
        .where("removed_from_lock_at", "is", null)
        .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<", now)]))
        .executeTakeFirst();
      if (claimed.numUpdatedRows === 0n) continue;
      this.runBeside(this.remove(row));
    }
  }

  private async remove(row: { id: string; device_id: string; site_id: string }): Promise<void> {
    try {
      const attempt = await this.ctx.commands.send(
        row.device_id,
        "pin_remove",
        { codeId: row.id },
        { siteId: row.site_id },
      );
      const outcome = await attempt.outcome;
      if (outcome.status !== "succeeded") return; // Tried again once the claim lapses (the lock may be offline).
      const now = this.ctx.clock.now();
      await this.ctx.audit.transaction(async (trx, record) => {
        const done = await trx
          .updateTable("access_codes")
          .set({ removed_from_lock_at: now, updated_at: now })
          .where("id", "=", row.id)
          .where("removed_from_lock_at", "is", null)
          .executeTakeFirst();
        if (done.numUpdatedRows === 0n) return;
        const code = await findAccessCode(trx, row.id);
        if (!code) return;
        record({
          type: "access_code.removed_from_lock",
          subjectType: "access_code",
          subjectId: row.id,
          siteId: row.site_id,
          actor: SYSTEM,
          data: { ...codeEventData(code, await shipmentOf(trx, code.shipment_id)), status: code.status },
        });
      });
    } catch (err) {
      this.ctx.log.warn({ err, accessCodeId: row.id }, "pin_remove not sent; retried later");
    }
  }
}

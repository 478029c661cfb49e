import { OFFLINE_CODE_DEFAULT_SKEW_S } from "@threshold/core";
import { SYSTEM_ACTOR } from "../../audit/audit-log.js";
import type { AppContext } from "../../context.js";
import { PeriodicWorker } from "../../workers/periodic-worker.js";
import { takeCodeOffLock } from "./lock-removal.js";
import { findAccessCode, transitionCode } from "./repository.js";
import { AccessCodeService, codeEventData, shipmentOf } from "./service.js";

const BATCH = 100;

/**
 * Keeps codes honest on every server process at once, without a leader: expires codes whose
 * window is over, takes used, expired and removed codes off their lock (pin_remove, retried until
 * the lock confirms) and tells locks of withdrawn offline codes (offline_code_revoke), and closes codes a crash left `setting`. Every row is claimed by a
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
          actor: SYSTEM_ACTOR,
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

  /**
   * Used, expired and removed one-time codes, and withdrawn offline codes, that their lock has not
   * confirmed: only of connected locks (an offline lock's codes would fill every batch for nothing),
   * so a lock that comes back is told on the next pass.
   */
  private async removeFromLocks(): Promise<void> {
    const now = this.ctx.clock.now();
    const rows = await this.ctx.db
      .selectFrom("access_codes")
      .innerJoin("devices", "devices.id", "access_codes.device_id")
      .select([
        "access_codes.id",
        "access_codes.kind",
        "access_codes.device_id",
        "access_codes.site_id",
        "access_codes.slot",
        "access_codes.counter",
      ])
      .where("devices.online", "=", 1)
      .where((eb) =>
        eb.or([
          eb.and([
            eb("access_codes.kind", "=", "online"),
            eb("access_codes.status", "in", ["used", "expired", "removed"]),
          ]),
          eb.and([eb("access_codes.kind", "=", "offline"), eb("access_codes.status", "=", "removing")]),
        ]),
      )
      .where("access_codes.removed_from_lock_at", "is", null)
      .where((eb) => eb.or([eb("access_codes.claimed_until", "is", null), eb("access_codes.claimed_until", "<", now)]))
      .limit(BATCH)
      .execute();
    for (const row of rows) this.runBeside(takeCodeOffLock(this.ctx, row).then(() => undefined));
  }
}

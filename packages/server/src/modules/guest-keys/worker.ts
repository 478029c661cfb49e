import { sql } from "kysely";
import { SYSTEM_ACTOR } from "../../audit/audit-log.js";
import type { AppContext } from "../../context.js";
import { PeriodicWorker } from "../../workers/periodic-worker.js";
import { findGuestKey, transitionGuestKey } from "./repository.js";
import { ENDED_STATUSES, GuestKeyService } from "./service.js";

const BATCH = 100;

/**
 * Keeps guest keys honest on every server process at once: ends keys whose time is over
 * (temporary, one-time and expiring keys), closes keys a crash left `setting`, takes ended keys
 * off their lock the moment the lock is online — a pending revocation is retried every pass — and
 * tells locks about keys the block switch paused or resumed while they were unreachable.
 */
export class GuestKeyWorker extends PeriodicWorker {
  private readonly keys: GuestKeyService;

  constructor(private readonly ctx: AppContext) {
    super("guest key worker", ctx.log);
    this.keys = new GuestKeyService(ctx);
  }

  async tick(): Promise<void> {
    await this.expire();
    await this.closeStuckSettings();
    await this.removeFromLocks();
    await this.syncPauses();
  }

  private async expire(): Promise<void> {
    const now = this.ctx.clock.now();
    const rows = await this.ctx.db
      .selectFrom("guest_keys")
      .select("id")
      .where("status", "=", "active")
      .where((eb) =>
        eb.or([
          eb("valid_until", "<=", now),
          eb.and([
            eb("first_used_at", "is not", null),
            eb(sql<number>`first_used_at + expires_after_use_s * 1000`, "<=", now),
          ]),
        ]),
      )
      .limit(BATCH)
      .execute();
    for (const { id } of rows) {
      await this.ctx.audit.transaction(async (trx, record) => {
        if (!(await transitionGuestKey(trx, id, ["active"], "expired", { updated_at: now }))) return;
        const row = await findGuestKey(trx, id);
        if (row) record(this.keys.event("guest_key.expired", row, SYSTEM_ACTOR));
      });
    }
  }

  /** A `setting` key whose pin_set was closed (its process died before settling it) follows that command. */
  private async closeStuckSettings(): Promise<void> {
    const rows = await this.ctx.db
      .selectFrom("guest_keys")
      .innerJoin("commands", "commands.id", "guest_keys.command_id")
      .select(["guest_keys.id", "commands.status", "commands.reason"])
      .where("guest_keys.status", "=", "setting")
      .where("commands.status", "!=", "created")
      .limit(BATCH)
      .execute();
    for (const row of rows) {
      await this.keys.settle(row.id, { status: row.status as "succeeded", reason: row.reason });
    }
  }

  private async removeFromLocks(): Promise<void> {
    const rows = await this.owedToConnectedLocks()
      .where("status", "in", ENDED_STATUSES)
      .where("removed_from_lock_at", "is", null)
      .execute();
    for (const row of rows) this.runBeside(this.keys.removeFromLock(row));
  }

  /** Paused and resumed keys whose lock has not confirmed the change: told again once it is connected. */
  private async syncPauses(): Promise<void> {
    const rows = await this.owedToConnectedLocks()
      .where("status", "=", "active")
      .where("lock_change", "is not", null)
      .execute();
    for (const row of rows) this.runBeside(this.keys.syncPause(row));
  }

  /**
   * Keys no process is talking to a lock about, of locks that are connected: an offline lock's keys
   * would fill every batch for nothing.
   */
  private owedToConnectedLocks() {
    const now = this.ctx.clock.now();
    return this.ctx.db
      .selectFrom("guest_keys")
      .innerJoin("devices", "devices.id", "guest_keys.device_id")
      .selectAll("guest_keys")
      .where("devices.online", "=", 1)
      .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<", now)]))
      .limit(BATCH);
  }
}

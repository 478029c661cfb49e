import { SYSTEM_ACTOR } from "../../audit/audit-log.js";
import type { AppContext } from "../../context.js";
import { PeriodicWorker } from "../../workers/periodic-worker.js";
import { transitionParcel, updateParcelShipment } from "./repository.js";

/** Residents are reminded this long before their parcel expires. */
export const REMINDER_BEFORE_MS = 24 * 3600_000;
const BATCH = 200;

/**
 * Pickup deadlines, on every server process at once without a leader: a reminder a day before a
 * parcel expires, and at expiry the parcel is marked for return (the shipment for_return) so the
 * carrier's next courier at the bank collects it. Each row is claimed by a conditional update, so
 * two processes never act on the same one. Expiry waits while the bank is offline: the outage
 * extends every waiting parcel's period when it is back (device-events.ts).
 */
export class LockerWorker extends PeriodicWorker {
  constructor(private readonly ctx: AppContext) {
    super("locker worker", ctx.log);
  }

  async tick(): Promise<void> {
    await this.remind();
    await this.expire();
  }

  /** Parcels waiting in a compartment, with their bank's site: what both passes look through. */
  private parcelsInLocker() {
    return this.ctx.db
      .selectFrom("locker_parcels")
      .innerJoin("locker_banks", "locker_banks.id", "locker_parcels.bank_id")
      .select(["locker_parcels.id", "locker_parcels.resident_id", "locker_banks.site_id", "locker_banks.id as bank_id"])
      .where("locker_parcels.status", "=", "in_locker");
  }

  private async remind(): Promise<void> {
    const now = this.ctx.clock.now();
    const due = await this.parcelsInLocker()
      .select("locker_parcels.expires_at")
      .where("locker_parcels.reminded_at", "is", null)
      .where("locker_parcels.expires_at", "<=", now + REMINDER_BEFORE_MS)
      .where("locker_parcels.expires_at", ">", now)
      .limit(BATCH)
      .execute();
    for (const parcel of due) {
      await this.ctx.audit.transaction(async (trx, record) => {
        const claimed = await trx
          .updateTable("locker_parcels")
          .set({ reminded_at: now })
          .where("id", "=", parcel.id)
          .where("reminded_at", "is", null)
          .executeTakeFirst();
        if (Number(claimed.numUpdatedRows) !== 1) return;
        record({
          type: "locker.pickup_reminder",
          subjectType: "locker_parcel",
          subjectId: parcel.id,
          siteId: parcel.site_id,
          actor: SYSTEM_ACTOR,
          data: {
            bankId: parcel.bank_id,
            residentId: parcel.resident_id,
            expiresAt: new Date(Number(parcel.expires_at)).toISOString(),
            notify: "resident",
          },
        });
      });
    }
  }

  private async expire(): Promise<void> {
    const now = this.ctx.clock.now();
    const due = await this.parcelsInLocker()
      .select(["locker_parcels.shipment_id", "locker_parcels.carrier_id"])
      .where("locker_parcels.expires_at", "<=", now)
      .where("locker_banks.offline_since", "is", null)
      .limit(BATCH)
      .execute();
    for (const parcel of due) {
      await this.ctx.audit.transaction(async (trx, record) => {
        if (!(await transitionParcel(trx, parcel.id, ["in_locker"], "expired", { updated_at: now }))) return;
        await updateParcelShipment(trx, parcel, { status: "for_return", updated_at: now });
        record({
          type: "locker.parcel_expired",
          subjectType: "locker_parcel",
          subjectId: parcel.id,
          siteId: parcel.site_id,
          actor: SYSTEM_ACTOR,
          data: {
            bankId: parcel.bank_id,
            carrierId: parcel.carrier_id,
            shipmentId: parcel.shipment_id,
            residentId: parcel.resident_id,
            notify: "resident",
          },
        });
      });
    }
  }
}

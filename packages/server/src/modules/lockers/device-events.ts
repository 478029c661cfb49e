import type { EventMessage, StateMessage } from "@threshold/protocol";
import type { Transaction } from "kysely";
import type { AuditActor, Record_ } from "../../audit/audit-log.js";
import type { AppContext } from "../../context.js";
import { retryOnConflict } from "../../db/errors.js";
import type { Database } from "../../db/schema.js";
import { markShipmentDelivered } from "../shipments/index.js";
import {
  type BankRow,
  type CompartmentRow,
  findBankByController,
  findCompartmentByNumber,
  type ParcelRow,
  parcelsInCompartment,
  releaseIfEmpty,
  transitionParcel,
  updateParcelShipment,
} from "./repository.js";
import { putOutOfService } from "./service.js";

const LOCKER_EVENTS = new Set(["compartment.closed", "pickup.offline", "alarm.jammed", "alarm.wrong_code_limit"]);

/**
 * Turns what a locker controller reports (signed, verified by the gateway) into Threshold's
 * record. A deposit is confirmed only by the controller's door and occupancy sensors — a closed
 * door on something — and a pickup only by a door closed on an empty compartment; an offline
 * pickup from the controller's durable log is recorded when it arrives. The controller's
 * outages extend the pickup periods of the parcels waiting in it.
 */
export class LockerDeviceEvents {
  private queue: Promise<void> = Promise.resolve();
  private readonly onEvent = (event: EventMessage) => {
    if (!LOCKER_EVENTS.has(event.type)) return;
    this.enqueue(() => this.handle(event), event.id);
  };
  private readonly onState = (state: StateMessage) => {
    if (state.kind !== "locker_controller") return;
    this.enqueue(() => this.handleState(state), state.deviceId);
  };

  constructor(private readonly ctx: AppContext) {}

  start(): void {
    this.ctx.gateway.on("deviceEvent", this.onEvent);
    this.ctx.gateway.on("deviceState", this.onState);
  }

  async stop(): Promise<void> {
    this.ctx.gateway.off("deviceEvent", this.onEvent);
    this.ctx.gateway.off("deviceState", this.onState);
    await this.queue;
  }

  /** Resolves once every report received so far is handled (tests). */
  idle(): Promise<void> {
    return this.queue;
  }

  private enqueue(work: () => Promise<void>, what: string): void {
    this.queue = this.queue
      .then(work)
      .catch((err: unknown) => this.ctx.log.error({ err, what }, "locker report not handled"));
  }

  private async handle(event: EventMessage): Promise<void> {
    const bank = await findBankByController(this.ctx.db, event.deviceId);
    if (!bank) return;
    const actor: AuditActor = { type: "device", id: event.deviceId };
    const number = typeof event.data.compartment === "number" ? event.data.compartment : null;
    if (event.type === "alarm.wrong_code_limit") {
      await this.ctx.audit.record({
        type: "locker.wrong_code_limit",
        subjectType: "locker_bank",
        subjectId: bank.id,
        siteId: bank.site_id,
        actor,
        data: { attempts: Number(event.data.attempts ?? 0), via: "controller_keypad", alert: "manager" },
      });
      return;
    }
    if (number === null) return;
    const compartment = await findCompartmentByNumber(this.ctx.db, bank.id, number);
    if (!compartment) return;
    const now = this.ctx.clock.now();
    if (event.type === "alarm.jammed") {
      // Already out of service (the drop-off that met the jam said so first): nothing new to record.
      if (compartment.state === "out_of_service") return;
      await this.ctx.audit.transaction(async (trx, record) => {
        // The drop-off may have put it out of service since the read above; then this records nothing.
        if (!(await putOutOfService(trx, compartment.id, "jammed", now))) return;
        record({
          type: "locker.compartment_out_of_service",
          subjectType: "compartment",
          subjectId: compartment.id,
          siteId: bank.site_id,
          actor,
          data: { bankId: bank.id, compartment: number, reason: "jammed", alert: "manager" },
        });
      });
      return;
    }
    if (event.type === "pickup.offline") {
      await this.offlinePickup(bank, compartment, event, actor);
      return;
    }
    await this.closed(bank, compartment, event, actor, now);
  }

  private async closed(
    bank: BankRow,
    compartment: CompartmentRow,
    event: EventMessage,
    actor: AuditActor,
    now: number,
  ): Promise<void> {
    const occupied = event.data.occupied === true;
    const deposits = typeof event.data.deposits === "number" ? event.data.deposits : compartment.deposits;
    // Parcels first, then the compartment: the order every other locker transaction takes them in
    // (a drop-off moving a parcel), so two of them never wait for each other.
    await retryOnConflict(() =>
      this.ctx.audit.transaction(async (trx, record) => {
        const open = await parcelsInCompartment(trx, compartment.id, ["open"]);
        for (const parcel of open) {
          if (occupied && event.data.deposited === true)
            await this.deposited(trx, record, bank, compartment, parcel, deposits, actor, now);
          else {
            // The door closed on nothing: the reservation stands, the courier may scan again.
            await transitionParcel(trx, parcel.id, ["open"], "reserved", { updated_at: now });
            record({
              type: "locker.deposit_not_confirmed",
              subjectType: "locker_parcel",
              subjectId: parcel.id,
              siteId: bank.site_id,
              actor,
              data: { bankId: bank.id, compartment: compartment.number },
            });
          }
        }
        if (!occupied) {
          for (const parcel of await parcelsInCompartment(trx, compartment.id, ["in_locker", "expired", "dropped"])) {
            await this.emptied(trx, record, bank, compartment, parcel, actor, now, now, false);
          }
        }
        await trx
          .updateTable("compartments")
          .set({ deposits, updated_at: now })
          .where("id", "=", compartment.id)
          .execute();
        await releaseIfEmpty(trx, compartment.id, now);
      }),
    );
  }

  private async deposited(
    trx: Transaction<Database>,
    record: Record_,
    bank: BankRow,
    compartment: CompartmentRow,
    parcel: ParcelRow,
    deposits: number,
    actor: AuditActor,
    now: number,
  ): Promise<void> {
    if (parcel.kind === "return") {
      await transitionParcel(trx, parcel.id, ["open"], "dropped", { deposits, deposited_at: now, updated_at: now });
      record({
        type: "locker.return_dropped",
        subjectType: "locker_parcel",
        subjectId: parcel.id,
        siteId: bank.site_id,
        actor,
        data: { bankId: bank.id, compartment: compartment.number, carrierId: parcel.carrier_id, label: parcel.label },
      });
      return;
    }
    const expiresAt = now + bank.pickup_period_s * 1000;
    await transitionParcel(trx, parcel.id, ["open"], "in_locker", {
      deposits,
      deposited_at: now,
      expires_at: expiresAt,
      updated_at: now,
    });
    await updateParcelShipment(trx, parcel, { status: "in_locker", updated_at: now });
    record({
      type: "locker.parcel_in_locker",
      subjectType: "locker_parcel",
      subjectId: parcel.id,
      siteId: bank.site_id,
      actor,
      data: {
        bankId: bank.id,
        bankName: bank.name,
        compartment: compartment.number,
        residentId: parcel.resident_id,
        carrierId: parcel.carrier_id,
        shipmentId: parcel.shipment_id,
        overflow: parcel.overflow === 1,
        expiresAt: new Date(expiresAt).toISOString(),
        // The resident is notified; the code itself is never in the audit log (GET /v1/lockers/parcels shows it).
        notify: "resident",
      },
    });
  }

  /** The compartment is empty and shut: whatever waited in it was picked up, or collected by the carrier. */
  private async emptied(
    trx: Transaction<Database>,
    record: Record_,
    bank: BankRow,
    compartment: CompartmentRow,
    parcel: ParcelRow,
    actor: AuditActor,
    at: number,
    now: number,
    offline: boolean,
  ): Promise<void> {
    const collected = parcel.status === "expired" || parcel.status === "dropped";
    const to = collected ? "collected" : "picked_up";
    const done = await transitionParcel(trx, parcel.id, [parcel.status], to, {
      ...(collected ? { collected_at: at } : { picked_up_at: at }),
      updated_at: now,
    });
    if (!done) return;
    if (collected) await updateParcelShipment(trx, parcel, { status: "returned", updated_at: now });
    else if (parcel.shipment_id) await markShipmentDelivered(trx, { id: parcel.shipment_id }, { at, now });
    record({
      type: collected ? "locker.parcel_collected" : "locker.parcel_picked_up",
      subjectType: "locker_parcel",
      subjectId: parcel.id,
      siteId: bank.site_id,
      actor,
      data: {
        bankId: bank.id,
        compartment: compartment.number,
        carrierId: parcel.carrier_id,
        shipmentId: parcel.shipment_id,
        residentId: parcel.resident_id,
        kind: parcel.kind,
        at: new Date(at).toISOString(),
        offline,
      },
    });
  }

  /** A pickup the controller allowed with no network, from its durable log: recorded once, at the time it happened. */
  private async offlinePickup(
    bank: BankRow,
    compartment: CompartmentRow,
    event: EventMessage,
    actor: AuditActor,
  ): Promise<void> {
    const deposits = Number(event.data.deposits);
    const at = typeof event.data.at === "number" ? event.data.at : event.at;
    const now = this.ctx.clock.now();
    await retryOnConflict(() =>
      this.ctx.audit.transaction(async (trx, record) => {
        const waiting = await parcelsInCompartment(trx, compartment.id, ["in_locker"]);
        if (compartment.deposits !== deposits) return;
        for (const parcel of waiting) await this.emptied(trx, record, bank, compartment, parcel, actor, at, now, true);
        record({
          type: "locker.offline_log_reconciled",
          subjectType: "locker_bank",
          subjectId: bank.id,
          siteId: bank.site_id,
          actor,
          data: { compartment: compartment.number, log: Number(event.data.log ?? 0), parcels: waiting.length },
        });
        await releaseIfEmpty(trx, compartment.id, now);
      }),
    );
  }

  /** Offline: note since when. Back: every waiting parcel's pickup period grows by the outage. */
  private async handleState(state: StateMessage): Promise<void> {
    const bank = await findBankByController(this.ctx.db, state.deviceId);
    if (!bank) return;
    const now = this.ctx.clock.now();
    if (!state.online) {
      if (bank.offline_since === null) {
        await this.ctx.db
          .updateTable("locker_banks")
          .set({ offline_since: now })
          .where("id", "=", bank.id)
          .where("offline_since", "is", null)
          .execute();
      }
      return;
    }
    if (bank.offline_since === null) return;
    const outageMs = Math.max(0, now - Number(bank.offline_since));
    await this.ctx.audit.transaction(async (trx, record) => {
      const cleared = await trx
        .updateTable("locker_banks")
        .set({ offline_since: null })
        .where("id", "=", bank.id)
        .where("offline_since", "=", bank.offline_since)
        .executeTakeFirst();
      if (Number(cleared.numUpdatedRows) !== 1) return;
      const waiting = await trx
        .selectFrom("locker_parcels")
        .select(["id", "expires_at"])
        .where("bank_id", "=", bank.id)
        .where("status", "=", "in_locker")
        .execute();
      for (const parcel of waiting) {
        if (parcel.expires_at === null) continue;
        await trx
          .updateTable("locker_parcels")
          .set({ expires_at: Number(parcel.expires_at) + outageMs, updated_at: now })
          .where("id", "=", parcel.id)
          .execute();
      }
      record({
        type: "locker.bank_back_online",
        subjectType: "locker_bank",
        subjectId: bank.id,
        siteId: bank.site_id,
        actor: { type: "device", id: state.deviceId },
        data: { outageS: Math.round(outageMs / 1000), extendedParcels: waiting.length },
      });
    });
  }
}

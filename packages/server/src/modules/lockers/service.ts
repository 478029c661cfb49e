import { randomInt } from "node:crypto";
import {
  type Dimensions,
  distanceMeters,
  lockerPickupCode,
  matchPickupCode,
  newId,
  notFound,
  type TemperatureClass,
  ThresholdError,
} from "@threshold/core";
import { sql, type Transaction } from "kysely";
import { actorOf } from "../../audit/actor.js";
import type { AuditActor } from "../../audit/audit-log.js";
import { SYSTEM_ACTOR } from "../../audit/audit-log.js";
import type { AppContext } from "../../context.js";
import { isUniqueViolation, retryOnConflict } from "../../db/errors.js";
import type { Database } from "../../db/schema.js";
import type { Actor, UserActor } from "../../http/actor.js";
import { isOperator, requireRole } from "../../http/ownership.js";
import { lockSecret } from "../access-codes/lock-secret.js";
import { hashSecret } from "../auth/tokens.js";
import { markShipmentDelivered } from "../shipments/index.js";
import { findSiteById } from "../sites/repository.js";
import { changeableOrNotFound } from "../sites/site-access.js";
import { holdCompartmentForShare, parcelsBehindTheDoor, parcelsNotFor } from "./compartment-sharing.js";
import { type KioskSource, kioskFailures, kioskLockout, lockedOut, sourceKey, spentPickup } from "./kiosk-codes.js";
import {
  type BankRow,
  type CompartmentRow,
  compartmentRow,
  compartmentsOfBank,
  findBank,
  findCompartment,
  findCompartmentByNumber,
  findParcel,
  holdingParcelsOfBank,
  type ParcelRow,
  parcelsInCompartment,
  releaseIfEmpty,
  sharedWith,
  transitionParcel,
} from "./repository.js";
import { innerOf, type ReservationRequest, reserveCompartment, reservedParcel } from "./reservation.js";
import type {
  AddResidentBody,
  CreateBankBody,
  DropOffBody,
  KioskCodeBody,
  LockerBank,
  LockerParcel,
  LockerParcelStatus,
  ShareBody,
  StartReturnBody,
} from "./schemas.js";
import { toBank, toParcel } from "./views.js";

export type LockerCtx = Pick<AppContext, "db" | "audit" | "clock" | "config" | "commands" | "secrets" | "log">;

/** How often a drop-off tries another compartment when one will not open, before saying so. */
const MAX_OPEN_ATTEMPTS = 3;
const DAY_MS = 24 * 3600_000;

/** What a courier or a resident is told when a compartment opened. */
export interface OpenedCompartment {
  parcel: LockerParcel;
  compartment: number;
  bankId: string;
  /** Compartments tried first that would not open (now out of service). */
  skipped: number[];
}

/**
 * Parcel lockers (docs/lockers.md): banks and their compartments, courier drop-off, resident
 * pickup by code or in the app, sharing, expiry and extension, returns, overflow to another bank,
 * and the manager's view. Compartments open only by a signed command to the bank's controller;
 * what happened physically (door closed, occupied or empty) comes from the controller's signed
 * events (device-events.ts), never from what a person said.
 */
export class LockerService {
  constructor(private readonly ctx: LockerCtx) {}

  // --- banks (managers) ---

  async createBank(actor: Actor, body: CreateBankBody): Promise<LockerBank> {
    const user = requireRole(actor, ["manager", "operator"], "set up a locker bank");
    const site = changeableOrNotFound(user, await findSiteById(this.ctx.db, body.siteId), (s) => s.owner_id, "site");
    const device = await this.ctx.db
      .selectFrom("devices")
      .select(["id", "kind", "site_id", "removed_at"])
      .where("id", "=", body.controllerDeviceId)
      .executeTakeFirst();
    if (!device || device.site_id !== site.id || device.removed_at !== null) throw notFound("device");
    if (device.kind !== "locker_controller") {
      throw new ThresholdError("device_kind_mismatch", "A locker bank is driven by a locker_controller device.");
    }
    const numbers = new Set(body.compartments.map((c) => c.number));
    if (numbers.size !== body.compartments.length) {
      throw new ThresholdError("invalid_request", "Each compartment number may appear once.");
    }
    const now = this.ctx.clock.now();
    const id = newId("lockerBank", now);
    const bank: BankRow = {
      id,
      site_id: site.id,
      name: body.name,
      controller_device_id: device.id,
      pickup_period_s: Math.round((body.pickupPeriodHours ?? 72) * 3600),
      overflow_distance_m: body.overflowDistanceM ?? 500,
      package_room: body.packageRoom ?? null,
      wrong_code_limit: body.wrongCodeLimit ?? 5,
      lockout_s: body.lockoutMinutes !== undefined ? body.lockoutMinutes * 60 : 900,
      offline_since: null,
      created_at: now,
    };
    try {
      await this.ctx.audit.transaction(async (trx, record) => {
        await trx.insertInto("locker_banks").values(bank).execute();
        await trx
          .insertInto("compartments")
          .values(body.compartments.map((c) => compartmentRow(id, c, now)))
          .execute();
        record({
          type: "locker.bank_created",
          subjectType: "locker_bank",
          subjectId: id,
          siteId: site.id,
          actor: actorOf(actor),
          data: { name: body.name, compartments: body.compartments.length, controllerDeviceId: device.id },
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ThresholdError("conflict", "That controller already drives a locker bank.");
      }
      throw error;
    }
    return this.getBank(actor, id);
  }

  /** Managers of the building (and operators) see everything; couriers and residents the bank's public face. */
  async getBank(actor: Actor | null, bankId: string): Promise<LockerBank> {
    const bank = await findBank(this.ctx.db, bankId);
    if (!bank) throw notFound("locker bank");
    const compartments = await compartmentsOfBank(this.ctx.db, bank.id);
    const manages = actor !== null && (await this.manages(actor, bank));
    return toBank(bank, compartments, manages);
  }

  /** Managers: the banks of the buildings they manage; everyone else signed in: every bank's public face (to find one). */
  async listBanks(actor: Actor, siteId?: string): Promise<LockerBank[]> {
    const managerId = actor.kind === "user" && actor.role === "manager" ? actor.userId : null;
    let query = this.ctx.db
      .selectFrom("locker_banks")
      .innerJoin("sites", "sites.id", "locker_banks.site_id")
      .selectAll("locker_banks");
    if (managerId) query = query.where("sites.owner_id", "=", managerId);
    if (siteId) query = query.where("locker_banks.site_id", "=", siteId);
    const banks = await query.orderBy("locker_banks.created_at").limit(200).execute();
    return Promise.all(
      banks.map(async (bank) =>
        toBank(bank, await compartmentsOfBank(this.ctx.db, bank.id), managerId !== null || isOperator(actor)),
      ),
    );
  }

  /** A bank its caller may look at whole: the building's manager, and operators (who run the platform). */
  async readableBank(actor: Actor, bankId: string): Promise<BankRow> {
    const bank = await findBank(this.ctx.db, bankId);
    if (!bank || !(await this.manages(actor, bank))) throw notFound("locker bank");
    return bank;
  }

  /**
   * A bank its caller may change — register residents, open a compartment, take one out of
   * service: the building's manager only. Operators may look but not change, as with a home's
   * doors (403, since they can already see the bank); to anyone else it does not exist.
   */
  async changeableBank(actor: Actor, bankId: string): Promise<BankRow> {
    const bank = await this.readableBank(actor, bankId);
    if (isOperator(actor)) {
      throw new ThresholdError(
        "forbidden",
        "Only the building's manager can change its lockers; operators may look but not change.",
      );
    }
    return bank;
  }

  private async manages(actor: Actor, bank: BankRow): Promise<boolean> {
    if (isOperator(actor)) return true;
    if (actor.kind !== "user" || actor.role !== "manager") return false;
    const site = await findSiteById(this.ctx.db, bank.site_id);
    return site?.owner_id === actor.userId;
  }

  async addResident(actor: Actor, bankId: string, body: AddResidentBody) {
    const bank = await this.changeableBank(actor, bankId);
    const user = await this.ctx.db
      .selectFrom("users")
      .select(["id", "role"])
      .where("email", "=", body.email.trim().toLowerCase())
      .executeTakeFirst();
    if (user?.role !== "recipient") {
      throw new ThresholdError("not_found", "No recipient account has that email; the resident signs up first.");
    }
    const now = this.ctx.clock.now();
    await this.ctx.audit.transaction(async (trx, record) => {
      const existing = await trx
        .selectFrom("building_residents")
        .select("user_id")
        .where("site_id", "=", bank.site_id)
        .where("user_id", "=", user.id)
        .executeTakeFirst();
      if (existing) {
        await trx
          .updateTable("building_residents")
          .set({ unit: body.unit, accessible: body.accessible ? 1 : 0 })
          .where("site_id", "=", bank.site_id)
          .where("user_id", "=", user.id)
          .execute();
      } else {
        await trx
          .insertInto("building_residents")
          .values({
            site_id: bank.site_id,
            user_id: user.id,
            unit: body.unit,
            accessible: body.accessible ? 1 : 0,
            created_at: now,
          })
          .execute();
      }
      record({
        type: "locker.resident_registered",
        subjectType: "user",
        subjectId: user.id,
        siteId: bank.site_id,
        actor: actorOf(actor),
        data: { unit: body.unit, accessible: body.accessible === true },
      });
    });
    return { userId: user.id, unit: body.unit, accessible: body.accessible === true };
  }

  // --- drop-off (couriers) ---

  /**
   * A courier scanned a locker shipment at this bank: reserve the best compartment (or the one
   * already reserved for it) and open it. A compartment that will not open is put out of service
   * and the next one is tried; when nothing fits, locker_full names the nearest banks with room
   * and the building's package room. Never a dead end.
   */
  async dropOff(actor: Actor, bankId: string, body: DropOffBody): Promise<OpenedCompartment> {
    const courier = requireRole(actor, ["courier"], "drop parcels into a locker");
    const bank = await findBank(this.ctx.db, bankId);
    if (!bank) throw notFound("locker bank");
    const shipment = await this.ctx.db
      .selectFrom("shipments")
      .selectAll()
      .where("tracking_number", "=", body.trackingNumber)
      .where("carrier_id", "=", courier.carrierId ?? "")
      .executeTakeFirst();
    if (!shipment || shipment.courier_id !== courier.userId) throw notFound("shipment");
    if (shipment.method !== "locker") {
      throw new ThresholdError("method_not_suited", "This shipment is not for a locker; deliver it as its label says.");
    }
    if (shipment.status !== "assigned") {
      throw new ThresholdError(
        "conflict",
        `The shipment is ${shipment.status}; only an assigned shipment is dropped off.`,
      );
    }
    const overflow = shipment.site_id !== bank.site_id;
    if (overflow) await this.requireOverflowAllowed(shipment.site_id, bank);
    const parcel: Dimensions = [shipment.length_cm ?? 1, shipment.width_cm ?? 1, shipment.height_cm ?? 1];
    const resident = await this.ctx.db
      .selectFrom("building_residents")
      .select("accessible")
      .where("site_id", "=", shipment.site_id)
      .where("user_id", "=", shipment.recipient_id)
      .executeTakeFirst();
    const request = {
      bankId: bank.id,
      residentId: shipment.recipient_id,
      parcel,
      temperature: (shipment.locker_temperature ?? "ambient") as TemperatureClass,
      preferAccessible: resident?.accessible === 1,
    };
    const now = this.ctx.clock.now();
    let parcelRow = await this.ctx.db
      .selectFrom("locker_parcels")
      .selectAll()
      .where("shipment_id", "=", shipment.id)
      .where("status", "in", ["reserved", "open"])
      .executeTakeFirst();
    if (parcelRow && parcelRow.bank_id !== bank.id) {
      // Reserved at another bank (the courier went elsewhere): give that compartment back first.
      await this.cancelReservation(parcelRow, SYSTEM_ACTOR);
      parcelRow = undefined;
    }
    if (!parcelRow) {
      parcelRow = await this.reserveNew(bank, request, {
        kind: "delivery",
        shipmentId: shipment.id,
        label: shipment.tracking_number,
        carrierId: shipment.carrier_id,
        courierId: courier.userId,
        overflow,
        actor: actorOf(actor),
        now,
      });
    }
    return this.openForDeposit(bank, parcelRow, request, actorOf(actor), "deposit");
  }

  /** The courier says the parcel does not fit the open compartment: another, bigger one opens. */
  async doesNotFit(actor: Actor, parcelId: string): Promise<OpenedCompartment> {
    const courier = requireRole(actor, ["courier"], "report a parcel that does not fit");
    const parcel = await findParcel(this.ctx.db, parcelId);
    if (!parcel || parcel.courier_id !== courier.userId || parcel.kind !== "delivery") throw notFound("locker parcel");
    if (parcel.status !== "open" && parcel.status !== "reserved") {
      throw new ThresholdError("conflict", `The parcel is ${parcel.status}; only a parcel being dropped off can move.`);
    }
    const bank = (await findBank(this.ctx.db, parcel.bank_id)) as BankRow;
    const old = (await findCompartment(this.ctx.db, parcel.compartment_id)) as CompartmentRow;
    const shipment = await this.ctx.db
      .selectFrom("shipments")
      .select(["recipient_id", "locker_temperature"])
      .where("id", "=", parcel.shipment_id ?? "")
      .executeTakeFirstOrThrow();
    const now = this.ctx.clock.now();
    const request = {
      bankId: bank.id,
      residentId: shipment.recipient_id,
      parcel: [parcel.length_cm, parcel.width_cm, parcel.height_cm] as Dimensions,
      temperature: (shipment.locker_temperature ?? "ambient") as TemperatureClass,
      preferAccessible: false,
    };
    const moved = await retryOnConflict(() =>
      this.ctx.audit.transaction(async (trx, record) => {
        const reserved = await reserveCompartment(
          trx,
          { ...request, exclude: [old.id], biggerThan: innerOf(old) },
          now,
        );
        if (!reserved) return null;
        await trx
          .updateTable("locker_parcels")
          .set({ compartment_id: reserved.compartment.id, status: "reserved", updated_at: now })
          .where("id", "=", parcel.id)
          .execute();
        await releaseIfEmpty(trx, old.id, now);
        record({
          type: "locker.parcel_moved",
          subjectType: "locker_parcel",
          subjectId: parcel.id,
          siteId: bank.site_id,
          actor: actorOf(actor),
          data: { bankId: bank.id, from: old.number, to: reserved.compartment.number, reason: "does_not_fit" },
        });
        return reserved;
      }),
    );
    if (!moved) {
      await this.cancelReservation(parcel, actorOf(actor));
      throw await this.full(bank, "No bigger compartment is free at this bank.");
    }
    const reloaded = (await findParcel(this.ctx.db, parcel.id)) as ParcelRow;
    return this.openForDeposit(bank, reloaded, request, actorOf(actor), "deposit");
  }

  private async reserveNew(
    bank: BankRow,
    request: Omit<ReservationRequest, "exclude">,
    meta: {
      kind: "delivery" | "return";
      shipmentId: string | null;
      label: string;
      carrierId: string;
      courierId: string | null;
      overflow: boolean;
      actor: AuditActor;
      now: number;
      dropCodeHash?: string;
    },
  ): Promise<ParcelRow> {
    const { now } = meta;
    const id = newId("lockerParcel", now);
    const row = await this.ctx.audit.transaction(async (trx, record) => {
      const reserved = await reserveCompartment(trx, { ...request, exclude: [] }, now);
      if (!reserved) return null;
      const parcel = reservedParcel({
        id,
        kind: meta.kind,
        shipmentId: meta.shipmentId,
        label: meta.label,
        bankId: bank.id,
        compartmentId: reserved.compartment.id,
        residentId: request.residentId,
        carrierId: meta.carrierId,
        courierId: meta.courierId,
        parcel: request.parcel,
        temperature: request.temperature,
        overflow: meta.overflow,
        dropCodeHash: meta.dropCodeHash ?? null,
        now,
      });
      await trx.insertInto("locker_parcels").values(parcel).execute();
      record({
        type: "locker.compartment_reserved",
        subjectType: "locker_parcel",
        subjectId: id,
        siteId: bank.site_id,
        actor: meta.actor,
        data: {
          bankId: bank.id,
          compartment: reserved.compartment.number,
          packed: reserved.packed,
          kind: meta.kind,
          carrierId: meta.carrierId,
          shipmentId: meta.shipmentId,
          residentId: request.residentId,
        },
      });
      return parcel;
    });
    if (!row) throw await this.full(bank, "No free compartment of this bank fits the parcel.");
    return row;
  }

  /** Opens the parcel's compartment for a deposit; one that will not open goes out of service and another is tried. */
  private async openForDeposit(
    bank: BankRow,
    parcel: ParcelRow,
    request: { residentId: string; parcel: Dimensions; temperature: TemperatureClass; preferAccessible: boolean },
    actor: AuditActor,
    purpose: "deposit" | "return_drop",
  ): Promise<OpenedCompartment> {
    const skipped: number[] = [];
    let current = parcel;
    for (let attempt = 1; ; attempt++) {
      const compartment = (await findCompartment(this.ctx.db, current.compartment_id)) as CompartmentRow;
      const outcome = await this.openCompartment(bank, compartment, purpose);
      if (outcome.status === "succeeded") {
        const now = this.ctx.clock.now();
        await this.ctx.audit.transaction(async (trx, record) => {
          await transitionParcel(trx, current.id, ["reserved", "open"], "open", { updated_at: now });
          record({
            type: "locker.compartment_opened",
            subjectType: "locker_parcel",
            subjectId: current.id,
            siteId: bank.site_id,
            actor,
            data: { bankId: bank.id, compartment: compartment.number, purpose },
          });
        });
        const reloaded = (await findParcel(this.ctx.db, current.id)) as ParcelRow;
        return {
          parcel: toParcel(reloaded, bank, compartment, null),
          compartment: compartment.number,
          bankId: bank.id,
          skipped,
        };
      }
      skipped.push(compartment.number);
      const reason = outcome.reason ?? outcome.status;
      const now = this.ctx.clock.now();
      const moved = await retryOnConflict(() =>
        this.ctx.audit.transaction(async (trx, record) => {
          if (await putOutOfService(trx, compartment.id, `did not open: ${reason}`, now)) {
            record({
              type: "locker.compartment_out_of_service",
              subjectType: "compartment",
              subjectId: compartment.id,
              siteId: bank.site_id,
              actor: SYSTEM_ACTOR,
              data: { bankId: bank.id, compartment: compartment.number, reason: `did not open: ${reason}` },
            });
          }
          if (attempt >= MAX_OPEN_ATTEMPTS) return null;
          const reserved = await reserveCompartment(
            trx,
            { bankId: bank.id, ...request, exclude: [compartment.id] },
            now,
          );
          if (!reserved) return null;
          await trx
            .updateTable("locker_parcels")
            .set({ compartment_id: reserved.compartment.id, status: "reserved", updated_at: now })
            .where("id", "=", current.id)
            .execute();
          return reserved;
        }),
      );
      if (!moved) {
        await this.cancelReservation(current, SYSTEM_ACTOR);
        if (reason === "timed_out" || reason === "no_ack") {
          throw new ThresholdError(
            "controller_offline",
            "The locker bank does not answer; try again in a minute, or use the building's package room.",
            { packageRoom: bank.package_room },
          );
        }
        throw await this.full(bank, `Compartment ${skipped.join(", ")} would not open and no other fits.`);
      }
      current = (await findParcel(this.ctx.db, current.id)) as ParcelRow;
    }
  }

  private async openCompartment(bank: BankRow, compartment: CompartmentRow, purpose: string) {
    const attempt = await this.ctx.commands.send(
      bank.controller_device_id,
      "compartment_open",
      { compartment: compartment.number, purpose: purpose as "deposit" },
      { siteId: bank.site_id },
    );
    return attempt.outcome;
  }

  private async cancelReservation(parcel: ParcelRow, actor: AuditActor): Promise<void> {
    const now = this.ctx.clock.now();
    await this.ctx.audit.transaction(async (trx, record) => {
      if (!(await transitionParcel(trx, parcel.id, ["reserved", "open"], "cancelled", { updated_at: now }))) return;
      await releaseIfEmpty(trx, parcel.compartment_id, now);
      record({
        type: "locker.reservation_cancelled",
        subjectType: "locker_parcel",
        subjectId: parcel.id,
        siteId: null,
        actor,
        data: { bankId: parcel.bank_id },
      });
    });
  }

  /** locker_full, with where else the parcel may go: banks with a free compartment nearby, and the package room. */
  private async full(bank: BankRow, why: string): Promise<ThresholdError> {
    const site = await findSiteById(this.ctx.db, bank.site_id);
    const alternatives: { bankId: string; name: string; distanceM: number }[] = [];
    if (site) {
      const rows = await this.ctx.db
        .selectFrom("locker_banks")
        .innerJoin("sites", "sites.id", "locker_banks.site_id")
        .select(["locker_banks.id", "locker_banks.name", "sites.lat", "sites.lng"])
        .where("locker_banks.id", "!=", bank.id)
        .execute();
      for (const row of rows) {
        const distanceM = Math.round(distanceMeters(site, { lat: row.lat, lng: row.lng }));
        if (distanceM > bank.overflow_distance_m) continue;
        const free = await this.ctx.db
          .selectFrom("compartments")
          .select("id")
          .where("bank_id", "=", row.id)
          .where("state", "=", "free")
          .limit(1)
          .executeTakeFirst();
        if (free) alternatives.push({ bankId: row.id, name: row.name, distanceM });
      }
    }
    alternatives.sort((a, b) => a.distanceM - b.distanceM);
    const where =
      alternatives.length > 0
        ? `Nearest bank with room: ${alternatives[0]?.name} (${alternatives[0]?.distanceM} m): scan the parcel there.`
        : bank.package_room
          ? `Leave it in the package room: ${bank.package_room}.`
          : "No other bank nearby has room; take the parcel back.";
    return new ThresholdError("locker_full", `${why} ${where}`, {
      alternatives,
      packageRoom: bank.package_room,
    });
  }

  /** A drop-off at another building's bank: allowed within the home bank's overflow distance. */
  private async requireOverflowAllowed(homeSiteId: string, bank: BankRow): Promise<void> {
    const home = await this.ctx.db
      .selectFrom("locker_banks")
      .select("overflow_distance_m")
      .where("site_id", "=", homeSiteId)
      .executeTakeFirst();
    const [from, to] = await Promise.all([
      findSiteById(this.ctx.db, homeSiteId),
      findSiteById(this.ctx.db, bank.site_id),
    ]);
    if (!home || !from || !to || distanceMeters(from, to) > home.overflow_distance_m) {
      throw new ThresholdError(
        "conflict",
        "This bank is too far from the parcel's building for an overflow drop-off; use a bank the scan answer named.",
      );
    }
  }

  /** Records a manager's choice to send a parcel to the building's package room instead (overflow). */
  async toPackageRoom(actor: Actor, trackingNumber: string): Promise<{ packageRoom: string }> {
    const courier = requireRole(actor, ["courier"], "leave a parcel in a package room");
    const shipment = await this.ctx.db
      .selectFrom("shipments")
      .selectAll()
      .where("tracking_number", "=", trackingNumber)
      .where("carrier_id", "=", courier.carrierId ?? "")
      .executeTakeFirst();
    if (!shipment || shipment.courier_id !== courier.userId || shipment.method !== "locker") throw notFound("shipment");
    const bank = await this.ctx.db
      .selectFrom("locker_banks")
      .selectAll()
      .where("site_id", "=", shipment.site_id)
      .executeTakeFirst();
    if (!bank?.package_room) {
      throw new ThresholdError("conflict", "This building has no package room; take the parcel to a bank with room.");
    }
    if (shipment.status !== "assigned") throw new ThresholdError("conflict", `The shipment is ${shipment.status}.`);
    const now = this.ctx.clock.now();
    await this.ctx.audit.transaction(async (trx, record) => {
      await markShipmentDelivered(trx, shipment, { at: now, now });
      record({
        type: "locker.parcel_to_package_room",
        subjectType: "shipment",
        subjectId: shipment.id,
        siteId: shipment.site_id,
        actor: actorOf(actor),
        data: {
          carrierId: shipment.carrier_id,
          residentId: shipment.recipient_id,
          trackingNumber,
          packageRoom: bank.package_room,
        },
      });
    });
    return { packageRoom: bank.package_room };
  }

  // --- pickup (residents) ---

  /** The parcels a resident (or someone they shared with) may collect, with codes; never anyone else's. */
  async myParcels(actor: Actor): Promise<LockerParcel[]> {
    const user = requireRole(actor, ["recipient"], "collect locker parcels");
    const shared = this.ctx.db
      .selectFrom("locker_parcel_shares")
      .select("parcel_id")
      .where("user_id", "=", user.userId);
    const rows = await this.ctx.db
      .selectFrom("locker_parcels")
      .selectAll()
      .where((eb) => eb.or([eb("resident_id", "=", user.userId), eb("id", "in", shared)]))
      .where("status", "not in", ["cancelled"])
      .orderBy("created_at", "desc")
      .limit(200)
      .execute();
    return Promise.all(rows.map((row) => this.viewForResident(row, user.userId)));
  }

  async getParcel(actor: Actor, parcelId: string): Promise<LockerParcel> {
    const parcel = await findParcel(this.ctx.db, parcelId);
    if (!parcel) throw notFound("locker parcel");
    if (actor.kind === "user" && (await this.mayCollect(actor, parcel)))
      return this.viewForResident(parcel, actor.userId);
    const bank = (await findBank(this.ctx.db, parcel.bank_id)) as BankRow;
    const compartment = (await findCompartment(this.ctx.db, parcel.compartment_id)) as CompartmentRow;
    const courierOrCarrier =
      (actor.kind === "user" && actor.role === "courier" && parcel.courier_id === actor.userId) ||
      ((actor.kind === "api_key" || (actor.kind === "user" && actor.role === "carrier_admin")) &&
        actor.carrierId === parcel.carrier_id);
    if (courierOrCarrier || isOperator(actor) || (await this.manages(actor, bank))) {
      // Everyone else who may see it sees it without the code.
      return toParcel(parcel, bank, compartment, null);
    }
    throw notFound("locker parcel");
  }

  private async mayCollect(user: UserActor, parcel: ParcelRow): Promise<boolean> {
    return parcel.resident_id === user.userId || (await sharedWith(this.ctx.db, parcel.id, user.userId));
  }

  /** The parcel as `viewerId` (its resident or someone it is shared with) sees it: the code only if they may take all behind its door. */
  private async viewForResident(parcel: ParcelRow, viewerId: string): Promise<LockerParcel> {
    const bank = (await findBank(this.ctx.db, parcel.bank_id)) as BankRow;
    const compartment = (await findCompartment(this.ctx.db, parcel.compartment_id)) as CompartmentRow;
    const mayOpen = (await parcelsNotFor(this.ctx.db, compartment.id, viewerId)).length === 0;
    return toParcel(parcel, bank, compartment, mayOpen ? await this.pickupCodeOf(bank, parcel, compartment) : null);
  }

  /** The pickup code, derived (not stored) from the controller's secret: only while the parcel waits in the locker. */
  private async pickupCodeOf(bank: BankRow, parcel: ParcelRow, compartment: CompartmentRow): Promise<string | null> {
    if (parcel.kind !== "delivery" || parcel.status !== "in_locker" || parcel.deposits === null) return null;
    const secret = await this.loadSecret(bank);
    return secret ? lockerPickupCode(secret, compartment.number, compartment.deposits) : null;
  }

  /** The controller's pairing secret, opened from its sealed column; null for a controller paired without one. */
  private async loadSecret(bank: BankRow): Promise<Buffer | null> {
    const device = await this.ctx.db
      .selectFrom("devices")
      .select(["id", "offline_secret"])
      .where("id", "=", bank.controller_device_id)
      .executeTakeFirst();
    return device ? lockSecret(this.ctx, device) : null;
  }

  /**
   * A code typed (or a QR shown) at the bank's kiosk: a pickup code opens the compartment of the
   * parcel it belongs to; a return's drop code opens the compartment reserved for the return.
   * A code already used answers already_collected and counts for nothing. Wrong codes count per
   * source: a signed-in account's alone, the anonymous keypad's per bank; at the limit that source
   * is locked out for a while, told for how long, and the manager is alerted. The answer never
   * says whose parcel it was.
   */
  async kioskCode(
    bankId: string,
    body: KioskCodeBody,
    actor: Actor | null,
  ): Promise<{ compartment: number; kind: "pickup" | "return_drop" }> {
    const bank = await findBank(this.ctx.db, bankId);
    if (!bank) throw notFound("locker bank");
    const now = this.ctx.clock.now();
    const source: KioskSource =
      actor?.kind === "user" ? { kind: "account", userId: actor.userId } : { kind: "anonymous" };
    const current = kioskLockout(await kioskFailures(this.ctx.db, bank, source, now), bank, now);
    if (current.lockedUntil !== null) {
      throw lockedOut(current.lockedUntil, now, "Too many wrong codes were typed here.");
    }
    const code = body.code.replace(/[\s-]/g, "");
    const secret = await this.loadSecret(bank);
    const waiting = (await holdingParcelsOfBank(this.ctx.db, bank.id)).filter((p) => p.status === "in_locker");
    const compartments = await compartmentsOfBank(this.ctx.db, bank.id);
    const occupied = compartments.filter((c) => waiting.some((p) => p.compartment_id === c.id));
    const match = secret
      ? matchPickupCode(
          secret,
          code,
          occupied.map((c) => ({ compartment: c.number, depositCounter: c.deposits })),
        )
      : null;
    if (match) {
      const compartment = occupied.find((c) => c.number === match.compartment) as CompartmentRow;
      await this.openForPickup(bank, compartment, SYSTEM_ACTOR, "kiosk");
      return { compartment: compartment.number, kind: "pickup" };
    }
    const returnParcel = await this.ctx.db
      .selectFrom("locker_parcels")
      .selectAll()
      .where("bank_id", "=", bank.id)
      .where("kind", "=", "return")
      .where("status", "=", "reserved")
      .where("drop_code_hash", "=", hashSecret(`${bank.id}:${code}`))
      .executeTakeFirst();
    if (returnParcel) {
      const opened = await this.openForDeposit(
        bank,
        returnParcel,
        {
          residentId: returnParcel.resident_id,
          parcel: [returnParcel.length_cm, returnParcel.width_cm, returnParcel.height_cm],
          temperature: "ambient",
          preferAccessible: false,
        },
        SYSTEM_ACTOR,
        "return_drop",
      );
      return { compartment: opened.compartment, kind: "return_drop" };
    }
    const spent = secret ? await spentPickup(this.ctx.db, secret, bank, code, now) : null;
    if (spent === "picked_up") {
      throw new ThresholdError(
        "already_collected",
        "This code was already used: its parcel has been collected, and the code opens nothing now. A new parcel comes with a new code.",
      );
    }
    if (spent === "expired") {
      throw new ThresholdError(
        "already_collected",
        "This code was already used up: its parcel passed its pickup date and went back to the carrier (or waits for them). Ask the carrier.",
      );
    }
    throw await this.wrongCode(bank, source, now);
  }

  private async wrongCode(bank: BankRow, source: KioskSource, now: number): Promise<ThresholdError> {
    await this.ctx.db
      .insertInto("locker_code_failures")
      .values({ bank_id: bank.id, at: now, source: sourceKey(source) })
      .execute();
    const state = kioskLockout(await kioskFailures(this.ctx.db, bank, source, now), bank, now);
    if (state.lockedUntil !== null) {
      await this.ctx.audit.record({
        type: "locker.wrong_code_limit",
        subjectType: "locker_bank",
        subjectId: bank.id,
        siteId: bank.site_id,
        actor: source.kind === "account" ? { type: "user", id: source.userId } : SYSTEM_ACTOR,
        data: { attempts: bank.wrong_code_limit, lockoutS: bank.lockout_s, source: source.kind, alert: "manager" },
      });
      return lockedOut(
        state.lockedUntil,
        now,
        source.kind === "account"
          ? "Too many wrong codes from your account: this locker's screen will not take codes from it for a while, and the building manager is told."
          : "Too many wrong codes: this locker's keypad is locked for a while and the building manager is told.",
      );
    }
    return new ThresholdError(
      "wrong_pickup_code",
      `That code opens nothing here. Check the code in your pickup notice (${bank.wrong_code_limit - state.wrongInARow} tries left).`,
    );
  }

  /** "Open" in the app: the resident, or someone they shared with, standing within the building's geofence. */
  async openInApp(actor: Actor, parcelId: string, location: { lat: number; lng: number }) {
    const user = requireRole(actor, ["recipient"], "open a locker compartment");
    const parcel = await findParcel(this.ctx.db, parcelId);
    if (!parcel || !(await this.mayCollect(user, parcel))) throw notFound("locker parcel");
    if (parcel.status !== "in_locker") {
      throw new ThresholdError("parcel_not_in_locker", `The parcel is ${parcel.status}; there is nothing to collect.`);
    }
    const bank = (await findBank(this.ctx.db, parcel.bank_id)) as BankRow;
    const site = await findSiteById(this.ctx.db, bank.site_id);
    if (!site || distanceMeters(site, location) > site.geofence_radius_m) {
      throw new ThresholdError(
        "outside_geofence",
        "You are not at the locker yet: open it when you stand in front of it, or type the code at its screen.",
      );
    }
    const compartment = (await findCompartment(this.ctx.db, parcel.compartment_id)) as CompartmentRow;
    const notTheirs = await parcelsNotFor(this.ctx.db, compartment.id, user.userId);
    if (notTheirs.length > 0) {
      throw new ThresholdError(
        "shares_compartment",
        `Compartment ${compartment.number} also holds parcels that are not shared with you, and its door opens for all of them. Ask the resident to share the whole compartment, or to collect it.`,
        { compartment: compartment.number },
      );
    }
    await this.openForPickup(bank, compartment, actorOf(actor), "app");
    return { compartment: compartment.number, bankId: bank.id };
  }

  private async openForPickup(bank: BankRow, compartment: CompartmentRow, actor: AuditActor, via: string) {
    const outcome = await this.openCompartment(bank, compartment, "pickup");
    if (outcome.status !== "succeeded") {
      const reason = outcome.reason ?? outcome.status;
      await this.ctx.audit.record({
        type: "locker.pickup_failed",
        subjectType: "compartment",
        subjectId: compartment.id,
        siteId: bank.site_id,
        actor,
        data: { bankId: bank.id, compartment: compartment.number, reason, alert: "manager" },
      });
      throw new ThresholdError(
        reason === "no_ack" || reason === "timed_out" ? "controller_offline" : "compartment_unavailable",
        "The compartment did not open. The building manager has been told; try again shortly or ask the manager.",
      );
    }
    await this.ctx.audit.record({
      type: "locker.compartment_opened",
      subjectType: "compartment",
      subjectId: compartment.id,
      siteId: bank.site_id,
      actor,
      data: { bankId: bank.id, compartment: compartment.number, purpose: "pickup", via },
    });
  }

  /**
   * Shares a pickup with another Threshold user: they see the code and may open it too. The code
   * and the door are the compartment's, so a parcel that shares its compartment with others is
   * shared only with all of them (`wholeCompartment`); otherwise 409 shares_compartment, and
   * nothing changes.
   */
  async share(
    actor: Actor,
    parcelId: string,
    body: ShareBody,
  ): Promise<{ parcelId: string; sharedWith: string; parcelIds: string[] }> {
    const user = requireRole(actor, ["recipient"], "share a pickup");
    const parcel = await findParcel(this.ctx.db, parcelId);
    if (!parcel || parcel.resident_id !== user.userId) throw notFound("locker parcel");
    const other = await this.ctx.db
      .selectFrom("users")
      .select(["id", "role"])
      .where("email", "=", body.email.trim().toLowerCase())
      .executeTakeFirst();
    if (other?.role !== "recipient" || other.id === user.userId) {
      throw new ThresholdError("not_found", "No other Threshold recipient has that email; ask them to sign up first.");
    }
    const compartment = (await findCompartment(this.ctx.db, parcel.compartment_id)) as CompartmentRow;
    const now = this.ctx.clock.now();
    const parcelIds = await this.ctx.audit.transaction(async (trx, record) => {
      await holdCompartmentForShare(trx, compartment.id, now);
      const notYetShared = (await parcelsNotFor(trx, compartment.id, other.id)).filter((p) => p.id !== parcel.id);
      if (notYetShared.length > 0 && body.wholeCompartment !== true) {
        throw new ThresholdError(
          "shares_compartment",
          `This parcel shares compartment ${compartment.number} with ${notYetShared.length === 1 ? "another parcel" : `${notYetShared.length} other parcels`} of yours, and the compartment's code and door open for all of them. Share the whole compartment (wholeCompartment: true) to let them take all, or collect the others first.`,
          { compartment: compartment.number, otherParcelIds: notYetShared.map((p) => p.id) },
        );
      }
      // Only the resident's own parcels are ever in one compartment (allocation never mixes residents).
      const toShare = [parcel, ...notYetShared.filter((p) => p.resident_id === user.userId)];
      for (const each of toShare) {
        if (await sharedWith(trx, each.id, other.id)) continue;
        await trx
          .insertInto("locker_parcel_shares")
          .values({ parcel_id: each.id, user_id: other.id, created_at: now })
          .execute();
        record({
          type: "locker.pickup_shared",
          subjectType: "locker_parcel",
          subjectId: each.id,
          siteId: null,
          actor: actorOf(actor),
          data: { sharedWith: other.id, compartment: compartment.number, wholeCompartment: toShare.length > 1 },
        });
      }
      return (await parcelsBehindTheDoor(trx, compartment.id)).map((p) => p.id);
    });
    return { parcelId: parcel.id, sharedWith: other.id, parcelIds };
  }

  /** One extension of the pickup period, by the bank's period, before the parcel expires. */
  async extend(actor: Actor, parcelId: string): Promise<LockerParcel> {
    const user = requireRole(actor, ["recipient"], "extend a pickup");
    const parcel = await findParcel(this.ctx.db, parcelId);
    if (!parcel || parcel.resident_id !== user.userId) throw notFound("locker parcel");
    if (parcel.status !== "in_locker" || parcel.expires_at === null) {
      throw new ThresholdError(
        "parcel_not_in_locker",
        `The parcel is ${parcel.status}; only a waiting parcel can be extended.`,
      );
    }
    if (parcel.extended === 1)
      throw new ThresholdError("already_extended", "A pickup can be extended once; collect it before it expires.");
    const bank = (await findBank(this.ctx.db, parcel.bank_id)) as BankRow;
    const expiresAt = Number(parcel.expires_at) + bank.pickup_period_s * 1000;
    const now = this.ctx.clock.now();
    await this.ctx.audit.transaction(async (trx, record) => {
      const done = await transitionParcel(trx, parcel.id, ["in_locker"], "in_locker", {
        extended: 1,
        expires_at: expiresAt,
        reminded_at: null,
        updated_at: now,
      });
      if (!done) return;
      record({
        type: "locker.pickup_extended",
        subjectType: "locker_parcel",
        subjectId: parcel.id,
        siteId: bank.site_id,
        actor: actorOf(actor),
        data: { expiresAt: new Date(expiresAt).toISOString(), carrierId: parcel.carrier_id },
      });
    });
    return this.viewForResident((await findParcel(this.ctx.db, parcel.id)) as ParcelRow, user.userId);
  }

  // --- returns ---

  /**
   * A resident starts a return at their building's bank: a compartment that fits is reserved, a
   * return label is made, and the resident gets a one-time drop code (shown once, stored hashed).
   */
  async startReturn(actor: Actor, body: StartReturnBody): Promise<{ parcel: LockerParcel; dropCode: string }> {
    const user = requireRole(actor, ["recipient"], "start a return");
    const bank = await findBank(this.ctx.db, body.bankId);
    const resident = bank
      ? await this.ctx.db
          .selectFrom("building_residents")
          .select("accessible")
          .where("site_id", "=", bank.site_id)
          .where("user_id", "=", user.userId)
          .executeTakeFirst()
      : undefined;
    if (!bank || !resident) throw notFound("locker bank");
    const carrier = await this.ctx.db
      .selectFrom("carriers")
      .select("id")
      .where("id", "=", body.carrierId)
      .executeTakeFirst();
    if (!carrier) throw notFound("carrier");
    const now = this.ctx.clock.now();
    const dropCode = String(randomInt(0, 100_000_000)).padStart(8, "0");
    const label = `RT${newId("lockerParcel", now).slice(-10).toUpperCase()}`;
    const row = await this.reserveNew(
      bank,
      {
        bankId: bank.id,
        residentId: user.userId,
        parcel: [body.size.lengthCm, body.size.widthCm, body.size.heightCm],
        temperature: "ambient",
        preferAccessible: resident.accessible === 1,
      },
      {
        kind: "return",
        shipmentId: null,
        label,
        carrierId: carrier.id,
        courierId: null,
        overflow: false,
        actor: actorOf(actor),
        now,
        dropCodeHash: hashSecret(`${bank.id}:${dropCode}`),
      },
    );
    const compartment = (await findCompartment(this.ctx.db, row.compartment_id)) as CompartmentRow;
    return { parcel: toParcel(row, bank, compartment, null), dropCode };
  }

  // --- collection by the carrier (expired parcels and returns) ---

  /** The courier's carrier's parcels to take away from this bank: expired deliveries and dropped returns. */
  async collectable(actor: Actor, bankId: string): Promise<LockerParcel[]> {
    const courier = requireRole(actor, ["courier"], "collect from a locker");
    const bank = await findBank(this.ctx.db, bankId);
    if (!bank) throw notFound("locker bank");
    const rows = (await holdingParcelsOfBank(this.ctx.db, bank.id)).filter(
      (p) => p.carrier_id === courier.carrierId && (p.status === "expired" || p.status === "dropped"),
    );
    const compartments = new Map((await compartmentsOfBank(this.ctx.db, bank.id)).map((c) => [c.id, c]));
    return rows.map((row) => toParcel(row, bank, compartments.get(row.compartment_id) as CompartmentRow, null));
  }

  /** Opens the compartment of one expired parcel or dropped return for its carrier's courier. */
  async collect(actor: Actor, parcelId: string): Promise<{ compartment: number; bankId: string }> {
    const courier = requireRole(actor, ["courier"], "collect from a locker");
    const parcel = await findParcel(this.ctx.db, parcelId);
    if (!parcel || parcel.carrier_id !== courier.carrierId) throw notFound("locker parcel");
    if (parcel.status !== "expired" && parcel.status !== "dropped") {
      throw new ThresholdError(
        "conflict",
        `The parcel is ${parcel.status}; only expired parcels and dropped returns are collected.`,
      );
    }
    const bank = (await findBank(this.ctx.db, parcel.bank_id)) as BankRow;
    const compartment = (await findCompartment(this.ctx.db, parcel.compartment_id)) as CompartmentRow;
    const outcome = await this.openCompartment(bank, compartment, "collect");
    if (outcome.status !== "succeeded") {
      throw new ThresholdError(
        "compartment_unavailable",
        "The compartment did not open; the building manager has been told.",
      );
    }
    await this.ctx.db
      .updateTable("locker_parcels")
      .set({ courier_id: courier.userId })
      .where("id", "=", parcel.id)
      .execute();
    await this.ctx.audit.record({
      type: "locker.compartment_opened",
      subjectType: "locker_parcel",
      subjectId: parcel.id,
      siteId: bank.site_id,
      actor: actorOf(actor),
      data: { bankId: bank.id, compartment: compartment.number, purpose: "collect", carrierId: parcel.carrier_id },
    });
    return { compartment: compartment.number, bankId: bank.id };
  }

  // --- managers ---

  async dashboard(actor: Actor, bankId: string) {
    const bank = await this.readableBank(actor, bankId);
    const now = this.ctx.clock.now();
    const compartments = await compartmentsOfBank(this.ctx.db, bank.id);
    const parcels = await holdingParcelsOfBank(this.ctx.db, bank.id);
    const numberOf = new Map(compartments.map((c) => [c.id, c.number]));
    const count = (state: string) => compartments.filter((c) => c.state === state).length;
    const waiting = parcels
      .filter((p) => p.status === "in_locker")
      .map((p) => ({
        parcelId: p.id,
        label: p.label,
        compartment: numberOf.get(p.compartment_id) ?? 0,
        ageHours: Math.floor((now - Number(p.deposited_at ?? now)) / 3600_000),
        expiresAt: p.expires_at === null ? null : new Date(Number(p.expires_at)).toISOString(),
        expiringSoon: p.expires_at !== null && Number(p.expires_at) - now < DAY_MS,
        overflow: p.overflow === 1,
      }));
    return {
      bankId: bank.id,
      name: bank.name,
      online: bank.offline_since === null,
      occupancy: {
        total: compartments.length,
        free: count("free"),
        reserved: count("reserved"),
        occupied: count("occupied"),
        outOfService: count("out_of_service"),
      },
      waiting,
      expired: parcels
        .filter((p) => p.status === "expired")
        .map((p) => ({ parcelId: p.id, label: p.label, compartment: numberOf.get(p.compartment_id) ?? 0 })),
      returns: parcels
        .filter((p) => p.kind === "return")
        .map((p) => ({
          parcelId: p.id,
          label: p.label,
          status: p.status as LockerParcelStatus,
          compartment: numberOf.get(p.compartment_id) ?? 0,
        })),
      outOfService: compartments
        .filter((c) => c.state === "out_of_service")
        .map((c) => ({ compartment: c.number, reason: c.out_of_service_reason ?? "" })),
    };
  }

  /** A manager opens a compartment to look (audit, a stuck parcel): logged with the reason. */
  async auditOpen(actor: Actor, bankId: string, number: number, reason: string) {
    const bank = await this.changeableBank(actor, bankId);
    const compartment = await findCompartmentByNumber(this.ctx.db, bank.id, number);
    if (!compartment) throw notFound("compartment");
    const outcome = await this.openCompartment(bank, compartment, "audit");
    await this.ctx.audit.record({
      type: "locker.audit_open",
      subjectType: "compartment",
      subjectId: compartment.id,
      siteId: bank.site_id,
      actor: actorOf(actor),
      data: { bankId: bank.id, compartment: number, reason, result: outcome.status },
    });
    if (outcome.status !== "succeeded") {
      throw new ThresholdError(
        "compartment_unavailable",
        `Compartment ${number} did not open (${outcome.reason ?? outcome.status}).`,
      );
    }
    return { compartment: number, opened: true };
  }

  /** A manager puts a compartment out of service, or back in service once repaired. */
  async setService(actor: Actor, bankId: string, number: number, inService: boolean, reason: string) {
    const bank = await this.changeableBank(actor, bankId);
    const compartment = await findCompartmentByNumber(this.ctx.db, bank.id, number);
    if (!compartment) throw notFound("compartment");
    const now = this.ctx.clock.now();
    await this.ctx.audit.transaction(async (trx, record) => {
      if (inService) {
        await trx
          .updateTable("compartments")
          .set({ state: "free", out_of_service_reason: null, version: sql<number>`version + 1`, updated_at: now })
          .where("id", "=", compartment.id)
          .where("state", "=", "out_of_service")
          .execute();
        await releaseIfEmpty(trx, compartment.id, now);
      } else if (!(await putOutOfService(trx, compartment.id, reason, now))) {
        // Already out of service: the manager's words replace the reason the system gave.
        await trx
          .updateTable("compartments")
          .set({ out_of_service_reason: reason, updated_at: now })
          .where("id", "=", compartment.id)
          .execute();
      }
      record({
        type: inService ? "locker.compartment_in_service" : "locker.compartment_out_of_service",
        subjectType: "compartment",
        subjectId: compartment.id,
        siteId: bank.site_id,
        actor: actorOf(actor),
        data: { bankId: bank.id, compartment: number, reason },
      });
    });
    return this.getBank(actor, bank.id);
  }

  /** Parcels in a compartment (for the device event handler). */
  parcelsIn(compartmentId: string, statuses: readonly string[]) {
    return parcelsInCompartment(this.ctx.db, compartmentId, statuses);
  }
}

/**
 * Out of service: no new reservation goes there; parcels already in it stay theirs.
 *
 * The first reason stands. A jam reaches us twice — as the failed open a drop-off waits for and
 * as the controller's `alarm.jammed` — in either order; it is one fault, told to the manager once.
 * Returns whether this call took the compartment out of service.
 */
export async function putOutOfService(
  trx: Transaction<Database>,
  compartmentId: string,
  reason: string,
  now: number,
): Promise<boolean> {
  const result = await trx
    .updateTable("compartments")
    .set({ state: "out_of_service", out_of_service_reason: reason, version: sql<number>`version + 1`, updated_at: now })
    .where("id", "=", compartmentId)
    .where("state", "!=", "out_of_service")
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

import { newId } from "@threshold/core";
import { type Kysely, type Selectable, sql, type Transaction, type Updateable } from "kysely";
import type { Database } from "../../db/schema.js";
import type { CompartmentSpec } from "./schemas.js";

export type BankRow = Selectable<Database["locker_banks"]>;
export type CompartmentRow = Selectable<Database["compartments"]>;
export type ParcelRow = Selectable<Database["locker_parcels"]>;
type Db = Kysely<Database> | Transaction<Database>;

/** Parcel statuses that hold a compartment (its contents, for allocation and for the dashboard). */
export const HOLDING_STATUSES = ["reserved", "open", "in_locker", "expired", "dropped"] as const;

/** A new, free compartment of a bank, as the manager described it. */
export function compartmentRow(bankId: string, spec: CompartmentSpec, now: number): Database["compartments"] {
  return {
    id: newId("compartment", now),
    bank_id: bankId,
    number: spec.number,
    width_cm: spec.widthCm,
    height_cm: spec.heightCm,
    depth_cm: spec.depthCm,
    size_class: spec.sizeClass,
    temperature: spec.temperature ?? "ambient",
    accessible: spec.accessible ? 1 : 0,
    state: "free",
    resident_id: null,
    version: 0,
    deposits: 0,
    out_of_service_reason: null,
    updated_at: now,
  };
}

export function findBank(db: Db, id: string): Promise<BankRow | undefined> {
  return db.selectFrom("locker_banks").selectAll().where("id", "=", id).executeTakeFirst();
}

export function findBankByController(db: Db, deviceId: string): Promise<BankRow | undefined> {
  return db.selectFrom("locker_banks").selectAll().where("controller_device_id", "=", deviceId).executeTakeFirst();
}

export function compartmentsOfBank(db: Db, bankId: string): Promise<CompartmentRow[]> {
  return db.selectFrom("compartments").selectAll().where("bank_id", "=", bankId).orderBy("number").execute();
}

export function findCompartment(db: Db, id: string): Promise<CompartmentRow | undefined> {
  return db.selectFrom("compartments").selectAll().where("id", "=", id).executeTakeFirst();
}

export function findCompartmentByNumber(db: Db, bankId: string, number: number): Promise<CompartmentRow | undefined> {
  return db
    .selectFrom("compartments")
    .selectAll()
    .where("bank_id", "=", bankId)
    .where("number", "=", number)
    .executeTakeFirst();
}

/** Moves the parcel's shipment along with the parcel; a parcel without one (a resident's return) has none to move. */
export async function updateParcelShipment(
  db: Db,
  parcel: Pick<ParcelRow, "shipment_id">,
  patch: Updateable<Database["shipments"]>,
): Promise<void> {
  if (parcel.shipment_id === null) return;
  await db.updateTable("shipments").set(patch).where("id", "=", parcel.shipment_id).execute();
}

export function findParcel(db: Db, id: string): Promise<ParcelRow | undefined> {
  return db.selectFrom("locker_parcels").selectAll().where("id", "=", id).executeTakeFirst();
}

export function holdingParcelsOfBank(db: Db, bankId: string): Promise<ParcelRow[]> {
  return db
    .selectFrom("locker_parcels")
    .selectAll()
    .where("bank_id", "=", bankId)
    .where("status", "in", HOLDING_STATUSES)
    .orderBy("created_at")
    .execute();
}

export function parcelsInCompartment(db: Db, compartmentId: string, statuses: readonly string[]): Promise<ParcelRow[]> {
  return db
    .selectFrom("locker_parcels")
    .selectAll()
    .where("compartment_id", "=", compartmentId)
    .where("status", "in", statuses)
    .execute();
}

/** Moves a parcel from one of `from` to `to`; false when another process moved it first. */
export async function transitionParcel(
  db: Db,
  id: string,
  from: readonly string[],
  to: string,
  changes: Partial<ParcelRow>,
): Promise<boolean> {
  const result = await db
    .updateTable("locker_parcels")
    .set({ ...changes, status: to })
    .where("id", "=", id)
    .where("status", "in", from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Changes a compartment if it is still at `version`; false when someone changed it in between. */
export async function updateCompartmentAt(
  db: Db,
  compartment: Pick<CompartmentRow, "id" | "version">,
  changes: Partial<CompartmentRow>,
): Promise<boolean> {
  const result = await db
    .updateTable("compartments")
    .set({ ...changes, version: compartment.version + 1 })
    .where("id", "=", compartment.id)
    .where("version", "=", compartment.version)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Parcel statuses that mean something is physically in the compartment. */
const INSIDE = new Set(["in_locker", "expired", "dropped"]);

/**
 * Sets a compartment's state from what it holds: occupied when a parcel is inside, reserved when
 * one is only on its way, free (and no one's) when nothing holds it. A compartment out of service
 * stays so until a manager puts it back. Bumps the version either way, so a reservation racing
 * with it starts again.
 */
export async function releaseIfEmpty(db: Db, compartmentId: string, now: number): Promise<void> {
  const holding = await parcelsInCompartment(db, compartmentId, HOLDING_STATUSES);
  const compartment = await findCompartment(db, compartmentId);
  if (!compartment) return;
  const state =
    compartment.state === "out_of_service"
      ? "out_of_service"
      : holding.some((p) => INSIDE.has(p.status))
        ? "occupied"
        : holding.length > 0
          ? "reserved"
          : "free";
  await db
    .updateTable("compartments")
    .set({
      state,
      ...(holding.length === 0 ? { resident_id: null } : {}),
      updated_at: now,
      // In SQL, not from the row read above: a reservation that committed in between still sees its version move on.
      version: sql<number>`version + 1`,
    })
    .where("id", "=", compartmentId)
    .execute();
}

/** A user's role in a building: the resident of the parcel, someone it is shared with, or neither. */
export async function sharedWith(db: Db, parcelId: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom("locker_parcel_shares")
    .select("user_id")
    .where("parcel_id", "=", parcelId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return row !== undefined;
}

/** The banks at each of `siteIds` (id and name only), oldest first: where a courier takes a locker stop's parcel. */
export async function bankNamesOfSites(
  db: Kysely<Database>,
  siteIds: readonly string[],
): Promise<Map<string, { id: string; name: string }[]>> {
  const banks = new Map<string, { id: string; name: string }[]>();
  if (siteIds.length === 0) return banks;
  const rows = await db
    .selectFrom("locker_banks")
    .select(["id", "name", "site_id"])
    .where("site_id", "in", [...new Set(siteIds)])
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  for (const row of rows) banks.set(row.site_id, [...(banks.get(row.site_id) ?? []), { id: row.id, name: row.name }]);
  return banks;
}

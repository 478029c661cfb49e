import {
  allocateCompartment,
  type CompartmentSnapshot,
  type CompartmentState,
  type Dimensions,
  fitsInside,
  type TemperatureClass,
} from "@threshold/core";
import type { Transaction } from "kysely";
import type { Database } from "../../db/schema.js";
import { sharedCompartmentIds } from "./compartment-sharing.js";
import {
  type CompartmentRow,
  compartmentsOfBank,
  HOLDING_STATUSES,
  type ParcelRow,
  updateCompartmentAt,
} from "./repository.js";

export interface ReservationRequest {
  bankId: string;
  residentId: string;
  parcel: Dimensions;
  temperature: TemperatureClass;
  preferAccessible: boolean;
  /** Compartments not to use: one that jammed, or one the parcel did not fit. */
  exclude: readonly string[];
  /** A compartment the parcel did not fit: nothing as small in every edge is tried again. */
  biggerThan?: Dimensions;
}

/** Rounds of read-decide-compare-and-set before giving up; a loser retries with the winner's result in view. */
const MAX_ROUNDS = 25;

export const innerOf = (c: Pick<CompartmentRow, "width_cm" | "height_cm" | "depth_cm">): Dimensions => [
  c.width_cm,
  c.height_cm,
  c.depth_cm,
];

/**
 * Reserves the best compartment for a parcel, atomically, inside the caller's transaction (which
 * also inserts the parcel row). The choice is made on a snapshot by the pure allocator; the
 * reservation is a compare-and-set on the compartment's version, so of two requests racing for the
 * last compartment — on one process or on several sharing PostgreSQL — exactly one wins and the
 * other sees the bank as it now is. Null when nothing fits: the bank is full for this parcel.
 */
export async function reserveCompartment(
  trx: Transaction<Database>,
  request: ReservationRequest,
  now: number,
): Promise<{ compartment: CompartmentRow; packed: boolean } | null> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const rows = await compartmentsOfBank(trx, request.bankId);
    const contents = await trx
      .selectFrom("locker_parcels")
      .select(["compartment_id", "length_cm", "width_cm", "height_cm"])
      .where("bank_id", "=", request.bankId)
      .where("status", "in", HOLDING_STATUSES)
      .execute();
    const byCompartment = new Map<string, Dimensions[]>();
    for (const p of contents) {
      const list = byCompartment.get(p.compartment_id) ?? [];
      list.push([p.length_cm, p.width_cm, p.height_cm]);
      byCompartment.set(p.compartment_id, list);
    }
    // A shared compartment's code is known to someone else: nothing more of the resident's goes behind its door.
    const shared = await sharedCompartmentIds(trx, request.bankId);
    const excluded = (row: CompartmentRow) =>
      request.exclude.includes(row.id) ||
      (request.biggerThan !== undefined && fitsInside(innerOf(row), request.biggerThan));
    const snapshot: CompartmentSnapshot[] = rows.map((row) => ({
      id: row.id,
      inner: innerOf(row),
      temperature: row.temperature as TemperatureClass,
      accessible: row.accessible === 1,
      state: excluded(row) ? "out_of_service" : (row.state as CompartmentState),
      residentId: shared.has(row.id) ? null : row.resident_id,
      contents: byCompartment.get(row.id) ?? [],
    }));
    const choice = allocateCompartment(request, snapshot);
    if (!choice) return null;
    const row = rows.find((r) => r.id === choice.compartmentId) as CompartmentRow;
    const changes = choice.packed
      ? { updated_at: now }
      : { state: "reserved", resident_id: request.residentId, updated_at: now };
    if (await updateCompartmentAt(trx, row, changes)) {
      return { compartment: { ...row, ...changes, version: row.version + 1 }, packed: choice.packed };
    }
  }
  throw new Error(`no reservation after ${MAX_ROUNDS} rounds in bank ${request.bankId}`);
}

/** The parcel row a reservation writes: in its compartment, `reserved`, nothing done to it yet. */
export function reservedParcel(fields: {
  id: string;
  kind: "delivery" | "return";
  shipmentId: string | null;
  label: string;
  bankId: string;
  compartmentId: string;
  residentId: string;
  carrierId: string;
  courierId: string | null;
  parcel: Dimensions;
  temperature: TemperatureClass;
  overflow: boolean;
  dropCodeHash?: string | null;
  now: number;
}): ParcelRow {
  return {
    id: fields.id,
    kind: fields.kind,
    shipment_id: fields.shipmentId,
    label: fields.label,
    bank_id: fields.bankId,
    compartment_id: fields.compartmentId,
    resident_id: fields.residentId,
    carrier_id: fields.carrierId,
    courier_id: fields.courierId,
    status: "reserved",
    length_cm: fields.parcel[0],
    width_cm: fields.parcel[1],
    height_cm: fields.parcel[2],
    temperature: fields.temperature,
    overflow: fields.overflow ? 1 : 0,
    drop_code_hash: fields.dropCodeHash ?? null,
    deposits: null,
    deposited_at: null,
    expires_at: null,
    extended: 0,
    reminded_at: null,
    picked_up_at: null,
    collected_at: null,
    created_at: fields.now,
    updated_at: fields.now,
  };
}

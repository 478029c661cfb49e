import { type Kysely, sql, type Transaction } from "kysely";
import type { Database } from "../../db/schema.js";
import { HOLDING_STATUSES, type ParcelRow } from "./repository.js";

type Db = Kysely<Database> | Transaction<Database>;

/**
 * A compartment has one door and one code (docs/lockers.md, "Sharing a pickup"): whoever opens it
 * can take everything inside, and the controller can tell only "empty" or "not empty". So a person
 * may open a compartment, or see its code, only when they may take every parcel behind its door;
 * that keeps every pickup to the parcels its taker may have.
 */

/** The parcels in the compartment (inside or on their way) that `userId` may not take: neither theirs nor shared with them. */
export function parcelsNotFor(db: Db, compartmentId: string, userId: string): Promise<ParcelRow[]> {
  return db
    .selectFrom("locker_parcels")
    .selectAll()
    .where("compartment_id", "=", compartmentId)
    .where("status", "in", HOLDING_STATUSES)
    .where("resident_id", "!=", userId)
    .where("id", "not in", (eb) =>
      eb.selectFrom("locker_parcel_shares").select("parcel_id").where("user_id", "=", userId),
    )
    .orderBy("id")
    .execute();
}

/** The parcels in the compartment, inside or on their way, in id order. */
export function parcelsBehindTheDoor(db: Db, compartmentId: string): Promise<ParcelRow[]> {
  return db
    .selectFrom("locker_parcels")
    .selectAll()
    .where("compartment_id", "=", compartmentId)
    .where("status", "in", HOLDING_STATUSES)
    .orderBy("id")
    .execute();
}

/** The bank's compartments holding a parcel shared with someone: no more parcels go behind their doors. */
export async function sharedCompartmentIds(db: Db, bankId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom("locker_parcels")
    .innerJoin("locker_parcel_shares", "locker_parcel_shares.parcel_id", "locker_parcels.id")
    .select("locker_parcels.compartment_id")
    .distinct()
    .where("locker_parcels.bank_id", "=", bankId)
    .where("locker_parcels.status", "in", HOLDING_STATUSES)
    .execute();
  return new Set(rows.map((row) => row.compartment_id));
}

/**
 * Takes the compartment's row lock (and moves its version on) inside a share's transaction: a
 * reservation packing a parcel into it at the same moment either commits first, and the share
 * sees that parcel, or fails its compare-and-set and sees the share.
 */
export async function holdCompartmentForShare(trx: Transaction<Database>, compartmentId: string, now: number) {
  await trx
    .updateTable("compartments")
    .set({ version: sql<number>`version + 1`, updated_at: now })
    .where("id", "=", compartmentId)
    .execute();
}

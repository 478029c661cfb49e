import { type Clock, newId, type Role, ThresholdError } from "@threshold/core";
import type { Kysely } from "kysely";
import type { AuditActor, AuditLog } from "../../audit/audit-log.js";
import { isUniqueViolation } from "../../db/errors.js";
import type { Database } from "../../db/schema.js";
import { hashPassword } from "./passwords.js";

export interface NewAccount {
  email: string;
  name: string;
  password: string;
  role: Role;
  carrierId?: string | null;
}

export const MIN_PASSWORD_LENGTH = 10;

/** Where and as whom an account change is recorded in the audit log (DESIGN.md rule 4). */
export interface Audited {
  audit: AuditLog;
  actor: AuditActor;
}

/**
 * Creates an account; used by the users API, the demo seed and tests. Emails are stored lower-case.
 * With `audited`, the account and its `account.created` event commit together; without it (test
 * fixtures, older callers) the row is written alone.
 */
export async function createAccount(
  db: Kysely<Database>,
  clock: Clock,
  account: NewAccount,
  audited?: Audited,
): Promise<{ id: string }> {
  const email = account.email.trim().toLowerCase();
  if (account.password.length < MIN_PASSWORD_LENGTH) {
    throw new ThresholdError("invalid_request", `Passwords need at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  const needsCarrier = account.role === "courier" || account.role === "carrier_admin";
  if (needsCarrier !== Boolean(account.carrierId)) {
    throw new ThresholdError(
      "invalid_request",
      needsCarrier
        ? "Couriers and carrier admins belong to a carrier."
        : "Only couriers and carrier admins have a carrier.",
    );
  }
  const existing = await db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirst();
  if (existing) throw new ThresholdError("conflict", "An account with that email exists.");
  const id = newId("user", clock.now());
  // Hashed before any transaction: argon2 takes a while, and a transaction holds its connection.
  const passwordHash = await hashPassword(account.password);
  const carrierId = account.carrierId ?? null;
  const insert = (into: Kysely<Database>) =>
    into
      .insertInto("users")
      .values({
        id,
        email,
        name: account.name.trim(),
        role: account.role,
        password_hash: passwordHash,
        carrier_id: carrierId,
        created_at: clock.now(),
        disabled_at: null,
      })
      .execute();
  try {
    if (!audited) await insert(db);
    else {
      await audited.audit.transaction(async (trx, record) => {
        await insert(trx);
        record({
          type: "account.created",
          subjectType: "user",
          subjectId: id,
          actor: audited.actor,
          data: { role: account.role, carrierId },
        });
      });
    }
  } catch (error) {
    // Two creations of one email can both pass the check above; the unique index decides.
    if (isUniqueViolation(error)) throw new ThresholdError("conflict", "An account with that email exists.");
    throw error;
  }
  return { id };
}

/** A unique-constraint failure, as SQLite (better-sqlite3) and PostgreSQL (pg) report it. */

/** Adds a carrier; with `audited`, together with its `carrier.created` event. */
export async function createCarrier(
  db: Kysely<Database>,
  clock: Clock,
  name: string,
  audited?: Audited,
): Promise<{ id: string }> {
  const id = newId("carrier", clock.now());
  const row = { id, name: name.trim(), created_at: clock.now() };
  if (!audited) {
    await db.insertInto("carriers").values(row).execute();
    return { id };
  }
  await audited.audit.transaction(async (trx, record) => {
    await trx.insertInto("carriers").values(row).execute();
    record({
      type: "carrier.created",
      subjectType: "carrier",
      subjectId: id,
      actor: audited.actor,
      data: { name: row.name },
    });
  });
  return { id };
}

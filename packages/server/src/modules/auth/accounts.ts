import { type Clock, newId, type Role, ThresholdError } from "@threshold/core";
import type { Kysely } from "kysely";
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

/** Creates an account; used by the users API, the demo seed and tests. Emails are stored lower-case. */
export async function createAccount(db: Kysely<Database>, clock: Clock, account: NewAccount): Promise<{ id: string }> {
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
  try {
    await db
      .insertInto("users")
      .values({
        id,
        email,
        name: account.name.trim(),
        role: account.role,
        password_hash: await hashPassword(account.password),
        carrier_id: account.carrierId ?? null,
        created_at: clock.now(),
        disabled_at: null,
      })
      .execute();
  } catch (error) {
    // Two creations of one email can both pass the check above; the unique index decides.
    if (isUniqueViolation(error)) throw new ThresholdError("conflict", "An account with that email exists.");
    throw error;
  }
  return { id };
}

/** A unique-constraint failure, as SQLite (better-sqlite3) and PostgreSQL (pg) report it. */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "SQLITE_CONSTRAINT_UNIQUE" || code === "23505";
}

export async function createCarrier(db: Kysely<Database>, clock: Clock, name: string): Promise<{ id: string }> {
  const id = newId("carrier", clock.now());
  await db.insertInto("carriers").values({ id, name: name.trim(), created_at: clock.now() }).execute();
  return { id };
}

import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.js";

export function findUserByEmail(db: Kysely<Database>, email: string) {
  return db.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirst();
}

export async function insertSession(db: Kysely<Database>, session: Database["sessions"]): Promise<void> {
  await db.insertInto("sessions").values(session).execute();
}

/** True when there was such a session. */
export async function deleteSession(db: Kysely<Database>, tokenHash: string): Promise<boolean> {
  const result = await db.deleteFrom("sessions").where("token_hash", "=", tokenHash).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Expired sessions are refused anyway; sweeping a user's own at sign-in keeps the table from growing. */
export async function deleteExpiredSessions(db: Kysely<Database>, userId: string, now: number): Promise<void> {
  await db.deleteFrom("sessions").where("user_id", "=", userId).where("expires_at", "<=", now).execute();
}

export function findApiKeyName(db: Kysely<Database>, keyId: string) {
  return db.selectFrom("api_keys").select(["id", "name"]).where("id", "=", keyId).executeTakeFirst();
}

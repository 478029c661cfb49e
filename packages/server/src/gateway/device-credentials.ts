import { isId } from "@threshold/core";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema.js";
import { secretMatches } from "../modules/auth/tokens.js";

/** Checks a device's MQTT username (its id) and password (its secret from pairing) against storage. */
export async function deviceCredentialsValid(
  db: Kysely<Database>,
  username: string,
  password: string,
): Promise<boolean> {
  if (!isId("device", username) || password.length === 0 || password.length > 256) return false;
  const row = await db
    .selectFrom("devices")
    .select(["secret_hash", "removed_at"])
    .where("id", "=", username)
    .executeTakeFirst();
  return Boolean(row && row.removed_at === null && secretMatches(password, row.secret_hash));
}

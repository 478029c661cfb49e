import { isId } from "@threshold/core";
import type { Kysely } from "kysely";
import { PreparedQuery } from "../db/prepared.js";
import type { Database } from "../db/schema.js";
import { secretMatches } from "../modules/auth/tokens.js";

const DEVICE_BY_ID = new PreparedQuery<
  { id: string },
  Pick<Database["devices"], "id" | "kind" | "secret_hash" | "removed_at" | "public_key">
>(["id"], (db, p) =>
  db.selectFrom("devices").select(["id", "kind", "secret_hash", "removed_at", "public_key"]).where("id", "=", p.id),
);

/**
 * The active device whose MQTT username (its id) and password (its secret from pairing) these
 * are, or null: one row read and one SHA-256, for the broker and for camera uploads alike. With
 * its public key (raw, base64url), which a camera's uploads must be signed with.
 */
export async function deviceByCredentials(
  db: Kysely<Database>,
  username: string,
  password: string,
): Promise<{ id: string; kind: string; publicKey: string } | null> {
  if (!isId("device", username) || password.length === 0 || password.length > 256) return null;
  const row = await DEVICE_BY_ID.executeTakeFirst(db, { id: username });
  if (!row || row.removed_at !== null || !secretMatches(password, row.secret_hash)) return null;
  return { id: row.id, kind: row.kind, publicKey: row.public_key };
}

/** Whether a device's MQTT username and password are valid (deviceByCredentials). */
export async function deviceCredentialsValid(
  db: Kysely<Database>,
  username: string,
  password: string,
): Promise<boolean> {
  return (await deviceByCredentials(db, username, password)) !== null;
}

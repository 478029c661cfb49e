import { newId, type Role } from "@threshold/core";
import { createAccount, createCarrier } from "../modules/auth/accounts.js";
import { hashSecret, newSessionToken, SESSION_COOKIE } from "../modules/auth/tokens.js";
import type { ServerHandle } from "../server.js";

export interface SignedInUser {
  id: string;
  email: string;
  password: string;
  role: Role;
  carrierId: string | null;
  /** Value for a `cookie` request header. */
  cookie: string;
}

/** An account with this email and password that nobody has signed in to yet (for tests that sign in through the API). */
export async function createTestAccount(
  server: Pick<ServerHandle, "ctx">,
  account: { email: string; password: string; role: Role },
): Promise<{ id: string }> {
  const { db, clock } = server.ctx;
  return createAccount(db, clock, { ...account, name: `Test ${account.role}`, carrierId: null });
}

/**
 * Creates an account and a live session for it directly in storage, so a test about sites or
 * devices need not go through the login endpoint (which has tests of its own).
 */
export async function signInAs(
  server: Pick<ServerHandle, "ctx">,
  role: Role,
  options: { carrierId?: string; email?: string } = {},
): Promise<SignedInUser> {
  const { db, clock, config } = server.ctx;
  let carrierId: string | null = options.carrierId ?? null;
  if (!carrierId && (role === "courier" || role === "carrier_admin")) {
    carrierId = (await createCarrier(db, clock, "Test Carrier")).id;
  }
  const email = options.email ?? `${role}-${newId("user").slice(-8)}@example.test`;
  const password = "correct horse battery";
  const { id } = await createAccount(db, clock, { email, name: `Test ${role}`, password, role, carrierId });
  const token = newSessionToken();
  const now = clock.now();
  await db
    .insertInto("sessions")
    .values({
      token_hash: hashSecret(token),
      user_id: id,
      created_at: now,
      expires_at: now + config.sessionTtlMs,
      ip: "127.0.0.1",
      user_agent: "test",
    })
    .execute();
  return { id, email, password, role, carrierId, cookie: `${SESSION_COOKIE}=${token}` };
}

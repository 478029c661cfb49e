import { ThresholdError } from "@threshold/core";
import { actorOf } from "../../audit/actor.js";
import type { AppContext } from "../../context.js";
import type { Actor } from "../../http/actor.js";
import { foundOrNotFound } from "../../http/ownership.js";
import { findUserById } from "../users/repository.js";
import { toUser, type User } from "../users/schemas.js";
import type { LoginLimiter } from "./login-limiter.js";
import { dummyPasswordHash, verifyPassword } from "./passwords.js";
import { deleteExpiredSessions, deleteSession, findApiKeyName, findUserByEmail, insertSession } from "./repository.js";
import type { LoginBody, Me } from "./schemas.js";
import { hashSecret, newSessionToken } from "./tokens.js";

type Ctx = Pick<AppContext, "db" | "clock" | "config" | "audit">;

export interface Client {
  ip: string;
  userAgent: string | null;
}

// One message for an unknown email, a wrong password and a disabled account: which one it was
// would tell a stranger which emails have accounts.
const INVALID = "That email and password do not match an account. Check both and try again.";

/** Signs a person in: checks the limiter, then the password, then opens a session. */
export async function login(
  ctx: Ctx,
  limiter: LoginLimiter,
  body: LoginBody,
  client: Client,
): Promise<{ user: User; token: string }> {
  const attempt = await limiter.begin(body.email, client.ip);
  const row = await findUserByEmail(ctx.db, body.email.trim().toLowerCase());
  // The hash is checked even when there is no account, so both answers take as long.
  const passwordOk = await verifyPassword(row?.password_hash ?? (await dummyPasswordHash()), body.password);
  if (!row || !passwordOk || row.disabled_at !== null) throw new ThresholdError("invalid_credentials", INVALID);
  await limiter.succeeded(attempt);

  const token = newSessionToken();
  const now = ctx.clock.now();
  await ctx.audit.transaction(async (trx, record) => {
    await deleteExpiredSessions(trx, row.id, now);
    await insertSession(trx, {
      token_hash: hashSecret(token),
      user_id: row.id,
      created_at: now,
      expires_at: now + ctx.config.sessionTtlMs,
      ip: client.ip,
      user_agent: client.userAgent?.slice(0, 512) ?? null,
    });
    // No secrets: neither the token nor its hash goes into a log that is kept forever and read by others.
    record({
      type: "account.signed_in",
      subjectType: "user",
      subjectId: row.id,
      actor: { type: "user", id: row.id },
      data: { ip: client.ip },
    });
  });
  return { user: toUser(row), token };
}

/** Ends the session the request came with. */
export async function logout(ctx: Ctx, actor: Actor): Promise<void> {
  if (actor.kind !== "user") {
    throw new ThresholdError("forbidden", "An API key has no session to end; revoke it with DELETE /v1/api-keys/{id}.");
  }
  await ctx.audit.transaction(async (trx, record) => {
    if (!(await deleteSession(trx, actor.sessionTokenHash))) return;
    record({ type: "account.signed_out", subjectType: "user", subjectId: actor.userId, actor: actorOf(actor) });
  });
}

/** Who the credentials on this request belong to. */
export async function me(ctx: Ctx, actor: Actor): Promise<Me> {
  if (actor.kind === "user") {
    return { kind: "user", user: toUser(foundOrNotFound(await findUserById(ctx.db, actor.userId), "user")) };
  }
  const key = foundOrNotFound(await findApiKeyName(ctx.db, actor.keyId), "API key");
  return {
    kind: "api_key",
    apiKey: { id: key.id, name: key.name, carrierId: actor.carrierId, scopes: [...actor.scopes] },
  };
}

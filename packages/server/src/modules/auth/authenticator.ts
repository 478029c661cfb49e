import { type ApiKeyScope, type Role, ThresholdError } from "@threshold/core";
import type { FastifyRequest } from "fastify";
import type { AppContext } from "../../context.js";
import type { Actor, Authenticator } from "../../http/actor.js";
import { hashSecret, parseApiKey, SESSION_COOKIE, secretMatches } from "./tokens.js";

type AuthContext = Pick<AppContext, "db" | "clock">;

declare module "fastify" {
  interface FastifyContextConfig {
    /** The route reads `Authorization` itself (a pairing poll token), so it is not taken for an API key. */
    pollTokenAuth?: boolean;
  }
}

/**
 * Resolves the caller from an `Authorization: Bearer thk_…` API key or the session cookie.
 * Credentials that are present but bad are an error (the caller must learn why), never a silent
 * downgrade to anonymous.
 */
export function createAuthenticator(ctx: AuthContext): Authenticator {
  return {
    async resolve(request: FastifyRequest): Promise<Actor | null> {
      const authorization = request.routeOptions.config?.pollTokenAuth ? undefined : request.headers.authorization;
      if (authorization) return resolveApiKey(ctx, authorization);
      const token = readCookie(request.headers.cookie, SESSION_COOKIE);
      if (token) return resolveSession(ctx, token);
      return null;
    },
  };
}

async function resolveApiKey(ctx: AuthContext, authorization: string): Promise<Actor> {
  const [scheme, value] = authorization.split(" ", 2);
  const parsed = scheme?.toLowerCase() === "bearer" && value ? parseApiKey(value.trim()) : null;
  if (!parsed) throw new ThresholdError("unauthenticated", "Send the API key as Authorization: Bearer thk_…");
  const row = await ctx.db.selectFrom("api_keys").selectAll().where("id", "=", parsed.keyId).executeTakeFirst();
  if (!row || !secretMatches(parsed.secret, row.secret_hash)) {
    throw new ThresholdError("unauthenticated", "That API key is not valid. Create a new one in Threshold.");
  }
  if (row.revoked_at !== null) {
    throw new ThresholdError("api_key_revoked", "That API key was revoked. Create a new one in Threshold.");
  }
  const now = ctx.clock.now();
  // Last use is informational; a minute's precision saves a write on every call.
  if (row.last_used_at === null || now - row.last_used_at > 60_000) {
    await ctx.db.updateTable("api_keys").set({ last_used_at: now }).where("id", "=", row.id).execute();
  }
  return { kind: "api_key", keyId: row.id, carrierId: row.carrier_id, scopes: JSON.parse(row.scopes) as ApiKeyScope[] };
}

async function resolveSession(ctx: AuthContext, token: string): Promise<Actor> {
  const tokenHash = hashSecret(token);
  const row = await ctx.db
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .select(["sessions.expires_at", "users.id as user_id", "users.role", "users.carrier_id", "users.disabled_at"])
    .where("sessions.token_hash", "=", tokenHash)
    .executeTakeFirst();
  if (!row || row.disabled_at !== null) {
    throw new ThresholdError("unauthenticated", "Your session is not valid. Sign in again.");
  }
  if (row.expires_at <= ctx.clock.now()) {
    throw new ThresholdError("session_expired", "Your session has expired. Sign in again.");
  }
  return {
    kind: "user",
    userId: row.user_id,
    role: row.role as Role,
    carrierId: row.carrier_id,
    sessionTokenHash: tokenHash,
  };
}

function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

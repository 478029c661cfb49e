import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import Type from "typebox";
import type { AppContext } from "../../context.js";
import { requireActor } from "../../http/actor.js";
import { errorResponses } from "../../http/error-schema.js";
import { LoginLimiter } from "./login-limiter.js";
import { dummyPasswordHash } from "./passwords.js";
import { LoginBody, LoginResponse, Me } from "./schemas.js";
import { PUBLIC, SESSION_ONLY, SESSION_OR_API_KEY } from "./security.js";
import { login, logout, me } from "./service.js";
import { clearedSessionCookie, sessionCookie } from "./session-cookie.js";

/** Signing in and out, and "who am I". */
export async function authRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const limiter = new LoginLimiter(ctx.db, ctx.storage.dialect, ctx.clock);
  // Computed now, so the first sign-in with an unknown email is not measurably slower than the rest.
  await dummyPasswordHash();

  api.post(
    "/auth/login",
    {
      schema: {
        tags: ["auth"],
        summary: "Sign in with email and password; sets the th_session cookie",
        security: PUBLIC,
        body: LoginBody,
        response: { 200: LoginResponse, ...errorResponses(400, 401, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const client = { ip: request.ip, userAgent: request.headers["user-agent"] ?? null };
      const { user, token } = await login(ctx, limiter, request.body, client);
      reply.header("set-cookie", sessionCookie(ctx.config, token));
      return { user };
    },
  );

  api.post(
    "/auth/logout",
    {
      schema: {
        tags: ["auth"],
        summary: "Sign out: ends this session and clears the cookie",
        security: SESSION_ONLY,
        response: { 204: Type.Null({ description: "Signed out." }), ...errorResponses(401, 403) },
      },
    },
    async (request, reply) => {
      await logout(ctx, requireActor(request));
      reply.header("set-cookie", clearedSessionCookie(ctx.config));
      return reply.status(204).send(null);
    },
  );

  api.get(
    "/me",
    {
      schema: {
        tags: ["auth"],
        summary: "The caller: the signed-in person or the API key in use",
        security: SESSION_OR_API_KEY,
        response: { 200: Me, ...errorResponses(401) },
      },
    },
    async (request) => me(ctx, requireActor(request)),
  );
}

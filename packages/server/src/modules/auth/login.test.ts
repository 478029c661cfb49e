import { ManualClock } from "@threshold/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEventsAbout } from "../../test/audit.js";
import { TEST_DATABASES } from "../../test/databases.js";
import { signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { type ApiRequest, apiClient } from "../../test/http.js";
import { hashSecret } from "./tokens.js";

function cookieFrom(setCookie: string | null): string {
  const pair = setCookie?.split(";")[0];
  if (!pair) throw new Error("no Set-Cookie header");
  return pair;
}

describe.each(TEST_DATABASES)("sign-in, sessions and /me on %s", (database) => {
  const clock = new ManualClock();
  let server: TestServer;
  let request: ApiRequest;
  beforeAll(async () => {
    server = await startTestServer({ database, clock });
    request = apiClient(server.url);
  });
  afterAll(() => server.destroy());

  it("signs in, sets an HttpOnly SameSite cookie, and the cookie works on /v1/me", async () => {
    const account = await signInAs(server, "recipient");
    const res = await request("POST", "/v1/auth/login", {
      body: { email: account.email.toUpperCase(), password: account.password },
      headers: { "user-agent": "login-test/1.0" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      user: {
        id: account.id,
        email: account.email,
        name: "Test recipient",
        role: "recipient",
        carrierId: null,
        createdAt: new Date(clock.now()).toISOString(),
        disabledAt: null,
      },
    });
    const setCookie = res.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^th_session=[A-Za-z0-9_-]{43}; /);
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Lax");
    expect(setCookie).toContain("Path=/");
    expect(setCookie).toContain(`Max-Age=${server.config.sessionTtlMs / 1000}`);
    expect(setCookie).not.toContain("Secure"); // PUBLIC_URL is http:// here

    const cookie = cookieFrom(setCookie);
    const me = await request("GET", "/v1/me", { cookie });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ kind: "user", user: { id: account.id, role: "recipient" } });

    // Only the token's hash is stored, with where the session came from.
    const token = cookie.split("=")[1] ?? "";
    const session = await server.ctx.db
      .selectFrom("sessions")
      .selectAll()
      .where("token_hash", "=", hashSecret(token))
      .executeTakeFirstOrThrow();
    expect(session).toMatchObject({
      user_id: account.id,
      ip: "127.0.0.1",
      user_agent: "login-test/1.0",
      expires_at: clock.now() + server.config.sessionTtlMs,
    });

    // Recorded in the audit log, with nothing secret in it.
    const events = await auditEventsAbout(server, account.id);
    expect(events).toMatchObject([
      { type: "account.signed_in", subjectType: "user", actorType: "user", actorId: account.id, siteId: null },
    ]);
    expect(events[0]?.data).toEqual({ ip: "127.0.0.1" });
    expect(JSON.stringify(events)).not.toContain(token);
    expect(JSON.stringify(events)).not.toContain(hashSecret(token));
  });

  it("answers a wrong password and an unknown email alike: 401 invalid_credentials", async () => {
    const account = await signInAs(server, "recipient");
    const wrong = await request("POST", "/v1/auth/login", {
      body: { email: account.email, password: "not it at all" },
    });
    const unknown = await request("POST", "/v1/auth/login", {
      body: { email: "nobody-here@example.test", password: account.password },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error.code).toBe("invalid_credentials");
    expect(unknown.body.error.code).toBe("invalid_credentials");
    expect(unknown.body.error.message).toBe(wrong.body.error.message);
    expect(wrong.headers.get("set-cookie")).toBeNull();
    expect(await auditEventsAbout(server, account.id)).toEqual([]);
  });

  it("refuses a disabled account even with the right password", async () => {
    const account = await signInAs(server, "courier");
    await server.ctx.db.updateTable("users").set({ disabled_at: clock.now() }).where("id", "=", account.id).execute();
    const res = await request("POST", "/v1/auth/login", { body: { email: account.email, password: account.password } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("invalid_credentials");
  });

  it("logout ends the session and clears the cookie", async () => {
    const account = await signInAs(server, "manager");
    const login = await request("POST", "/v1/auth/login", {
      body: { email: account.email, password: account.password },
    });
    const cookie = cookieFrom(login.headers.get("set-cookie"));

    const out = await request("POST", "/v1/auth/logout", { cookie });
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/^th_session=; HttpOnly; SameSite=Lax; Path=\/; Max-Age=0/);

    const me = await request("GET", "/v1/me", { cookie });
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe("unauthenticated");
    // The other session of the same person is untouched.
    expect((await request("GET", "/v1/me", { cookie: account.cookie })).status).toBe(200);
    expect((await auditEventsAbout(server, account.id)).map((e) => [e.type, e.actorType, e.actorId])).toEqual([
      ["account.signed_in", "user", account.id],
      ["account.signed_out", "user", account.id],
    ]);
  });

  it("an expired session gets 401 session_expired", async () => {
    const account = await signInAs(server, "recipient");
    expect((await request("GET", "/v1/me", { cookie: account.cookie })).status).toBe(200);
    clock.advance(server.config.sessionTtlMs);
    const me = await request("GET", "/v1/me", { cookie: account.cookie });
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe("session_expired");
  });

  it("/v1/me without credentials is 401 unauthenticated; a bogus cookie too", async () => {
    const none = await request("GET", "/v1/me");
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe("unauthenticated");
    const bogus = await request("GET", "/v1/me", { cookie: "th_session=made-up" });
    expect(bogus.status).toBe(401);
    expect(bogus.body.error.code).toBe("unauthenticated");
  });

  it("logout needs a session", async () => {
    const res = await request("POST", "/v1/auth/logout");
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("unauthenticated");
  });
});

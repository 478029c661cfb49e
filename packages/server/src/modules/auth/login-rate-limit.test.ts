import { ManualClock } from "@threshold/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../../test/databases.js";
import { signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { type ApiRequest, apiClient } from "../../test/http.js";
import { addressSubject, LOGIN_LIMITS } from "./login-limiter.js";

describe("addressSubject", () => {
  it("keys IPv4 by address and IPv6 by its /64", () => {
    expect(addressSubject("203.0.113.7")).toBe("address:203.0.113.7");
    expect(addressSubject("::ffff:203.0.113.7")).toBe("address:203.0.113.7");
    expect(addressSubject("2001:db8:1:2:aaaa::1")).toBe("address:2001:db8:1:2::/64");
    expect(addressSubject("2001:db8:1:2:bbbb:cccc:dddd:eeee")).toBe("address:2001:db8:1:2::/64");
    expect(addressSubject("2001:db8::1")).toBe("address:2001:db8:0:0::/64");
    expect(addressSubject("::1")).toBe("address:0:0:0:0::/64");
  });
});

describe.each(TEST_DATABASES)("login rate limiting on %s", (database) => {
  const clock = new ManualClock();
  let server: TestServer;
  let request: ApiRequest;
  let nextAddress = 1;
  /** Each test signs in from its own address (the server trusts X-Forwarded-For here). */
  const newAddress = () => `198.51.100.${nextAddress++}`;
  const login = (email: string, password: string, address: string) =>
    request("POST", "/v1/auth/login", { body: { email, password }, headers: { "x-forwarded-for": address } });

  beforeAll(async () => {
    server = await startTestServer({ database, clock, env: { TRUST_PROXY: "true" } });
    request = apiClient(server.url);
  });
  afterAll(() => server.destroy());

  it("refuses the 6th attempt on one account with 429 even with the right password, then lifts", async () => {
    const account = await signInAs(server, "recipient");
    const address = newAddress();
    for (let i = 0; i < LOGIN_LIMITS.perAccount; i++) {
      clock.advance(1000);
      expect((await login(account.email, "wrong password", address)).status).toBe(401);
    }
    const limited = await login(account.email, account.password, address);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe("rate_limited");
    expect(limited.body.error.message).toMatch(/for this account\. Try again after .* \(in \d+ minutes\)/);
    // The first failure leaves the window 15 minutes after it was made; 4 seconds have passed since.
    expect(limited.headers.get("retry-after")).toBe(String(LOGIN_LIMITS.windowMs / 1000 - 4));
    expect(limited.body.error.details).toEqual({ retryAfterSeconds: LOGIN_LIMITS.windowMs / 1000 - 4 });

    // Another address does not help: the limit is on the account.
    expect((await login(account.email, account.password, newAddress())).status).toBe(429);
    // Refused attempts are not counted, so waiting out the window is enough.
    clock.advance(LOGIN_LIMITS.windowMs - 4000);
    expect((await login(account.email, account.password, address)).status).toBe(200);
  });

  it("a successful sign-in clears the account's failures", async () => {
    const account = await signInAs(server, "recipient");
    const address = newAddress();
    for (let i = 0; i < LOGIN_LIMITS.perAccount - 1; i++) {
      expect((await login(account.email, "wrong password", address)).status).toBe(401);
    }
    expect((await login(account.email, account.password, address)).status).toBe(200);
    for (let i = 0; i < LOGIN_LIMITS.perAccount - 1; i++) {
      expect((await login(account.email, "wrong password", address)).status).toBe(401);
    }
    expect((await login(account.email, account.password, address)).status).toBe(200);
  });

  it("limits unknown emails the same way, so 429 does not reveal which accounts exist", async () => {
    const address = newAddress();
    for (let i = 0; i < LOGIN_LIMITS.perAccount; i++) {
      expect((await login("ghost@example.test", "whatever pw", address)).status).toBe(401);
    }
    expect((await login("ghost@example.test", "whatever pw", address)).status).toBe(429);
  });

  it("limits one address trying many emails, without blocking other addresses", async () => {
    const address = newAddress();
    for (let i = 0; i < LOGIN_LIMITS.perAddress; i++) {
      expect((await login(`spray-${i}@example.test`, "guess guess", address)).status).toBe(401);
    }
    const victim = await signInAs(server, "recipient");
    const limited = await login(victim.email, victim.password, address);
    expect(limited.status).toBe(429);
    expect(limited.body.error.message).toContain("from your address");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    // The refused attempt withdrew only its own row (all rows share one millisecond here), so the
    // address stays limited.
    expect((await login(victim.email, victim.password, address)).status).toBe(429);
    expect((await login(victim.email, victim.password, newAddress())).status).toBe(200);
  });

  it("does not count successful sign-ins against an address (many people behind one NAT)", async () => {
    const address = newAddress();
    const people = await Promise.all(
      Array.from({ length: LOGIN_LIMITS.perAddress + 3 }, () => signInAs(server, "courier")),
    );
    for (const person of people) {
      expect((await login(person.email, person.password, address)).status).toBe(200);
    }
    const rows = await server.ctx.db
      .selectFrom("login_failures")
      .select("subject")
      .where("subject", "=", `address:${address}`)
      .execute();
    expect(rows).toEqual([]);
  });

  it("lets at most the limit of a parallel burst reach the password check", async () => {
    const account = await signInAs(server, "recipient");
    const address = newAddress();
    const burst = await Promise.all(Array.from({ length: 15 }, () => login(account.email, "parallel guess", address)));
    const statuses = burst.map((res) => res.status);
    expect(statuses.every((status) => status === 401 || status === 429)).toBe(true);
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(LOGIN_LIMITS.perAccount);
  });

  it("prunes rows that have left the window", async () => {
    clock.advance(LOGIN_LIMITS.windowMs + 60_000);
    await login("prune-trigger@example.test", "any password", newAddress());
    const old = await server.ctx.db
      .selectFrom("login_failures")
      .select((eb) => eb.fn.countAll().as("count"))
      .where("at", "<=", clock.now() - LOGIN_LIMITS.windowMs)
      .executeTakeFirstOrThrow();
    expect(Number(old.count)).toBe(0);
  });
});

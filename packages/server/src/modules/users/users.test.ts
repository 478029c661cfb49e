import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEventsAbout } from "../../test/audit.js";
import { TEST_DATABASES } from "../../test/databases.js";
import { type SignedInUser, signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { type ApiRequest, apiClient } from "../../test/http.js";

let serial = 0;
const newEmail = (label: string) => `${label}-${++serial}@example.test`;
const PASSWORD = "a long enough password";

describe.each(TEST_DATABASES)("users and carriers on %s", (database) => {
  let server: TestServer;
  let request: ApiRequest;
  let operator: SignedInUser;
  let adminA: SignedInUser;
  let adminB: SignedInUser;
  beforeAll(async () => {
    server = await startTestServer({ database });
    request = apiClient(server.url);
    operator = await signInAs(server, "operator");
    adminA = await signInAs(server, "carrier_admin");
    adminB = await signInAs(server, "carrier_admin");
  });
  afterAll(() => server.destroy());

  const createUser = (by: SignedInUser, body: Record<string, unknown>) =>
    request("POST", "/v1/users", {
      cookie: by.cookie,
      body: { email: newEmail("u"), name: "Someone", password: PASSWORD, ...body },
    });

  it("operators add carriers and accounts of any role; the new account can sign in", async () => {
    const carrier = await request("POST", "/v1/carriers", { cookie: operator.cookie, body: { name: " Parcel Co " } });
    expect(carrier.status).toBe(201);
    expect(carrier.body).toMatchObject({ id: expect.stringMatching(/^car_/), name: "Parcel Co" });

    const email = newEmail("Admin");
    const admin = await request("POST", "/v1/users", {
      cookie: operator.cookie,
      body: { email, name: "Ada", password: PASSWORD, role: "carrier_admin", carrierId: carrier.body.id },
    });
    expect(admin.status).toBe(201);
    expect(admin.body).toMatchObject({
      id: expect.stringMatching(/^usr_/),
      email: email.toLowerCase(),
      role: "carrier_admin",
      carrierId: carrier.body.id,
      disabledAt: null,
    });
    expect(admin.body).not.toHaveProperty("password_hash");
    // Both recorded, by the operator; the account's event names its role and carrier, never the password.
    expect(await auditEventsAbout(server, carrier.body.id)).toMatchObject([
      { type: "carrier.created", subjectType: "carrier", actorType: "user", actorId: operator.id, siteId: null },
    ]);
    const created = await auditEventsAbout(server, admin.body.id);
    expect(created).toMatchObject([
      {
        type: "account.created",
        subjectType: "user",
        actorType: "user",
        actorId: operator.id,
        siteId: null,
        data: { role: "carrier_admin", carrierId: carrier.body.id },
      },
    ]);
    expect(JSON.stringify(created)).not.toContain(PASSWORD);

    const login = await request("POST", "/v1/auth/login", { body: { email, password: PASSWORD } });
    expect(login.status).toBe(200);
    expect(login.body.user.id).toBe(admin.body.id);

    expect((await createUser(operator, { role: "manager" })).status).toBe(201);
    expect((await createUser(operator, { role: "operator" })).status).toBe(201);
  });

  it("only operators add carriers", async () => {
    const res = await request("POST", "/v1/carriers", { cookie: adminA.cookie, body: { name: "Mine" } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("forbidden");
  });

  it("carrier admins create couriers of their own carrier only", async () => {
    const courier = await createUser(adminA, { role: "courier" });
    expect(courier.status).toBe(201);
    expect(courier.body).toMatchObject({ role: "courier", carrierId: adminA.carrierId });
    expect((await auditEventsAbout(server, courier.body.id)).map((e) => [e.type, e.actorId])).toEqual([
      ["account.created", adminA.id],
    ]);

    const explicit = await createUser(adminA, { role: "courier", carrierId: adminA.carrierId });
    expect(explicit.status).toBe(201);

    const elsewhere = await createUser(adminA, { role: "courier", carrierId: adminB.carrierId });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.error.code).toBe("forbidden");

    for (const role of ["recipient", "carrier_admin", "manager", "operator"]) {
      const res = await createUser(adminA, { role });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe("forbidden");
    }
  });

  it("recipients, couriers and managers cannot create accounts", async () => {
    for (const role of ["recipient", "courier", "manager"] as const) {
      const caller = await signInAs(server, role);
      const res = await createUser(caller, { role: "recipient" });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe("forbidden");
    }
    // An anonymous caller is refused before the body is looked at: no schema details for strangers.
    const anonymousInvalid = await request("POST", "/v1/users", { body: { email: "x@y.z" } });
    expect(anonymousInvalid.status).toBe(401);
    expect(anonymousInvalid.body.error.details).toBeUndefined();
    const anonymous = await request("POST", "/v1/users", {
      body: { email: newEmail("anon"), name: "Anon", password: PASSWORD, role: "recipient" },
    });
    expect(anonymous.status).toBe(401);
  });

  it("rejects bad account data with a clear 400 or 409, changing nothing", async () => {
    const email = newEmail("dup");
    expect((await createUser(operator, { email, role: "recipient" })).status).toBe(201);
    const before = await server.ctx.db.selectFrom("audit_events").select("seq").execute();
    const duplicate = await createUser(operator, { email: email.toUpperCase(), role: "recipient" });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.code).toBe("conflict");

    const cases: Record<string, unknown>[] = [
      { role: "recipient", email: "not-an-email" },
      { role: "recipient", password: "short" },
      { role: "wizard" },
      { role: "courier" }, // operators must name the carrier
      { role: "recipient", carrierId: adminA.carrierId }, // recipients have none
      { role: "courier", carrierId: `car_${"0".repeat(26)}` }, // no such carrier
      { role: "courier", carrierId: "car_nope" },
    ];
    for (const body of cases) {
      const res = await createUser(operator, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
    // Refusals change nothing and record nothing.
    expect(await server.ctx.db.selectFrom("audit_events").select("seq").execute()).toHaveLength(before.length);
  });

  it("GET /v1/users/{id}: self, operators and the courier's carrier admin; everyone else 404", async () => {
    const recipient = await signInAs(server, "recipient");
    const otherRecipient = await signInAs(server, "recipient");
    const courierA = (await createUser(adminA, { role: "courier" })).body;

    expect((await request("GET", `/v1/users/${recipient.id}`, { cookie: recipient.cookie })).status).toBe(200);
    expect((await request("GET", `/v1/users/${recipient.id}`, { cookie: operator.cookie })).status).toBe(200);
    const byAdmin = await request("GET", `/v1/users/${courierA.id}`, { cookie: adminA.cookie });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body).toEqual(courierA);

    const hidden: [SignedInUser, string][] = [
      [otherRecipient, recipient.id],
      [recipient, courierA.id],
      [adminB, courierA.id], // another carrier's courier
      [adminA, recipient.id], // not a courier
      [adminA, adminB.id],
    ];
    for (const [caller, id] of hidden) {
      const res = await request("GET", `/v1/users/${id}`, { cookie: caller.cookie });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("not_found");
    }
    // Indistinguishable from an id that does not exist.
    const missing = await request("GET", `/v1/users/usr_${"0".repeat(26)}`, { cookie: otherRecipient.cookie });
    const notYours = await request("GET", `/v1/users/${recipient.id}`, { cookie: otherRecipient.cookie });
    expect(missing.body.error.message).toBe(notYours.body.error.message);

    const garbage = await request("GET", "/v1/users/..%2F..%2Fetc", { cookie: operator.cookie });
    expect(garbage.status).toBe(400);
    expect(garbage.body.error.code).toBe("invalid_request");
  });

  it("lists a carrier's couriers for its admin, its keys with couriers:read and operators; 404 for others", async () => {
    const courier = (await createUser(adminB, { role: "courier" })).body;
    const path = `/v1/carriers/${adminB.carrierId}/couriers`;

    const byAdmin = await request("GET", path, { cookie: adminB.cookie });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.couriers.map((c: { id: string }) => c.id)).toEqual([courier.id]);
    expect(byAdmin.body.couriers[0].role).toBe("courier");

    expect((await request("GET", path, { cookie: operator.cookie })).status).toBe(200);
    const { key } = (
      await request("POST", "/v1/api-keys", {
        cookie: adminB.cookie,
        body: { name: "dispatch", scopes: ["couriers:read"] },
      })
    ).body;
    expect((await request("GET", path, { bearer: key })).body.couriers).toHaveLength(1);

    for (const caller of [adminA, await signInAs(server, "recipient")]) {
      const res = await request("GET", path, { cookie: caller.cookie });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("not_found");
    }
    // A courier of that very carrier does not get the list either.
    const courierB = await signInAs(server, "courier", { carrierId: adminB.carrierId ?? undefined });
    expect((await request("GET", path, { cookie: courierB.cookie })).status).toBe(404);
    // An API key of that carrier with couriers:read may also read one courier.
    expect((await request("GET", `/v1/users/${courier.id}`, { bearer: key })).status).toBe(200);
    expect(
      (await request("GET", `/v1/carriers/car_${"0".repeat(26)}/couriers`, { cookie: operator.cookie })).status,
    ).toBe(404);
  });

  it("lists every account by name for operators only, one role at a time if asked", async () => {
    const all = await request("GET", "/v1/users?limit=500", { cookie: operator.cookie });
    expect(all.status).toBe(200);
    const names = all.body.users.map((u: { name: string }) => u.name);
    expect(names).toEqual([...names].sort((a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(all.body.users.map((u: { id: string }) => u.id)).toEqual(expect.arrayContaining([operator.id, adminA.id]));
    expect(all.body.users[0]).not.toHaveProperty("password_hash");
    expect(all.body.truncated).toBe(false);

    const admins = await request("GET", "/v1/users?role=carrier_admin", { cookie: operator.cookie });
    expect(admins.body.users.every((u: { role: string }) => u.role === "carrier_admin")).toBe(true);
    expect(admins.body.users.map((u: { id: string }) => u.id)).toEqual(expect.arrayContaining([adminA.id, adminB.id]));
    const one = await request("GET", "/v1/users?limit=1", { cookie: operator.cookie });
    expect(one.body.users).toHaveLength(1);
    expect(one.body.truncated).toBe(true);

    // Nobody else: not a carrier's admin, its API key, a recipient or a courier; nobody signed out.
    const { key } = (
      await request("POST", "/v1/api-keys", {
        cookie: adminA.cookie,
        body: { name: "list", scopes: ["couriers:read"] },
      })
    ).body;
    const callers = [
      { cookie: adminA.cookie },
      { bearer: key as string },
      { cookie: (await signInAs(server, "recipient")).cookie },
      { cookie: (await signInAs(server, "courier")).cookie },
      { cookie: (await signInAs(server, "manager")).cookie },
    ];
    for (const caller of callers) {
      const res = await request("GET", "/v1/users", caller);
      expect(res.status, JSON.stringify(caller)).toBe(403);
      expect(res.body.error.code).toBe("forbidden");
      expect(res.body).not.toHaveProperty("users");
    }
    expect((await request("GET", "/v1/users", {})).status).toBe(401);
    for (const bad of ["?role=admin", "?limit=0", "?limit=501", "?name=x"]) {
      const res = await request("GET", `/v1/users${bad}`, { cookie: operator.cookie });
      expect(res.status, bad).toBe(400);
      expect(res.body.error.code, bad).toBe("invalid_request");
    }
  });
});

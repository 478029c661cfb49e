import { ManualClock } from "@threshold/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEventsAbout } from "../../test/audit.js";
import { TEST_DATABASES } from "../../test/databases.js";
import { type SignedInUser, signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { type ApiRequest, apiClient } from "../../test/http.js";

describe.each(TEST_DATABASES)("API keys on %s", (database) => {
  const clock = new ManualClock();
  let server: TestServer;
  let request: ApiRequest;
  let adminA: SignedInUser;
  let adminB: SignedInUser;
  beforeAll(async () => {
    server = await startTestServer({ database, clock });
    request = apiClient(server.url);
    adminA = await signInAs(server, "carrier_admin");
    adminB = await signInAs(server, "carrier_admin");
  });
  afterAll(() => server.destroy());

  const createKey = (admin: SignedInUser, scopes: string[] = ["couriers:read"], name = "warehouse scanner") =>
    request("POST", "/v1/api-keys", { cookie: admin.cookie, body: { name, scopes } });

  it("creates a key shown once, lists it without its secret, and the key works as a Bearer token", async () => {
    const created = await createKey(adminA, ["couriers:read", "shipments:read"]);
    expect(created.status).toBe(201);
    const { apiKey, key } = created.body;
    expect(key).toMatch(/^thk_key_[0-9a-z]{26}_[A-Za-z0-9_-]{43}$/);
    expect(apiKey).toEqual({
      id: expect.stringMatching(/^key_/),
      name: "warehouse scanner",
      scopes: ["couriers:read", "shipments:read"],
      hint: `thk_${apiKey.id}_…`,
      createdAt: new Date(clock.now()).toISOString(),
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(key.startsWith(`thk_${apiKey.id}_`)).toBe(true);

    const secret = key.slice(`thk_${apiKey.id}_`.length);
    const stored = await server.ctx.db
      .selectFrom("api_keys")
      .selectAll()
      .where("id", "=", apiKey.id)
      .executeTakeFirst();
    expect(JSON.stringify(stored)).not.toContain(secret);

    const listed = await request("GET", "/v1/api-keys", { cookie: adminA.cookie });
    expect(listed.status).toBe(200);
    expect(listed.body.apiKeys).toEqual([apiKey]);
    expect(JSON.stringify(listed.body)).not.toContain(secret);

    const me = await request("GET", "/v1/me", { bearer: key });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      kind: "api_key",
      apiKey: { id: apiKey.id, name: "warehouse scanner", carrierId: adminA.carrierId, scopes: apiKey.scopes },
    });
    const couriers = await request("GET", `/v1/carriers/${adminA.carrierId}/couriers`, { bearer: key });
    expect(couriers.status).toBe(200);

    const after = await request("GET", "/v1/api-keys", { cookie: adminA.cookie });
    expect(after.body.apiKeys[0].lastUsedAt).toBe(new Date(clock.now()).toISOString());

    // Audited at carrier level (no site), by the admin who made it, without the secret.
    const events = await auditEventsAbout(server, apiKey.id);
    expect(events).toMatchObject([
      {
        type: "api_key.created",
        subjectType: "api_key",
        siteId: null,
        actorType: "user",
        actorId: adminA.id,
        data: { carrierId: adminA.carrierId, name: "warehouse scanner", scopes: ["couriers:read", "shipments:read"] },
      },
    ]);
    expect(JSON.stringify(events)).not.toContain(secret);
  });

  it("revokes a key: it then gets 401 api_key_revoked, and revoking again keeps the first time", async () => {
    const { apiKey, key } = (await createKey(adminA)).body;
    clock.advance(1000);
    const revoked = await request("DELETE", `/v1/api-keys/${apiKey.id}`, { cookie: adminA.cookie });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id: apiKey.id, revokedAt: new Date(clock.now()).toISOString() });

    const me = await request("GET", "/v1/me", { bearer: key });
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe("api_key_revoked");

    clock.advance(1000);
    const again = await request("DELETE", `/v1/api-keys/${apiKey.id}`, { cookie: adminA.cookie });
    expect(again.status).toBe(200);
    expect(again.body.revokedAt).toBe(revoked.body.revokedAt);
    // One revocation, one event: the second call changed nothing.
    expect((await auditEventsAbout(server, apiKey.id)).map((e) => [e.type, e.actorId, e.siteId])).toEqual([
      ["api_key.created", adminA.id, null],
      ["api_key.revoked", adminA.id, null],
    ]);
  });

  it("refuses garbage and forged bearer tokens with 401 unauthenticated", async () => {
    for (const bearer of ["garbage", "thk_nope", `thk_key_${"0".repeat(26)}_${"A".repeat(43)}`]) {
      const res = await request("GET", "/v1/me", { bearer });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("unauthenticated");
    }
    // A real key id with a wrong secret.
    const { apiKey } = (await createKey(adminA)).body;
    const forged = await request("GET", "/v1/me", { bearer: `thk_${apiKey.id}_${"A".repeat(43)}` });
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe("unauthenticated");
    const basic = await request("GET", "/v1/me", { headers: { authorization: "Basic dXNlcjpwYXNz" } });
    expect(basic.status).toBe(401);
  });

  it("keeps carriers apart: another carrier's key is not listed and cannot be revoked (404)", async () => {
    const { apiKey: keyOfB, key } = (await createKey(adminB)).body;
    const listA = await request("GET", "/v1/api-keys", { cookie: adminA.cookie });
    expect(listA.body.apiKeys.map((k: { id: string }) => k.id)).not.toContain(keyOfB.id);

    const revoke = await request("DELETE", `/v1/api-keys/${keyOfB.id}`, { cookie: adminA.cookie });
    expect(revoke.status).toBe(404);
    expect(revoke.body.error.code).toBe("not_found");
    expect((await request("GET", "/v1/me", { bearer: key })).status).toBe(200);

    // B's key cannot read A's couriers either.
    const couriers = await request("GET", `/v1/carriers/${adminA.carrierId}/couriers`, { bearer: key });
    expect(couriers.status).toBe(404);
  });

  it("only carrier admins manage keys: couriers, recipients, operators and API keys get 403", async () => {
    const courier = await signInAs(server, "courier", { carrierId: adminA.carrierId ?? undefined });
    for (const role of ["recipient", "operator", "manager"] as const) {
      const other = await signInAs(server, role);
      const res = await createKey(other);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe("forbidden");
    }
    expect((await createKey(courier)).status).toBe(403);
    expect((await request("GET", "/v1/api-keys", { cookie: courier.cookie })).status).toBe(403);

    const { key } = (await createKey(adminA, ["couriers:read", "shipments:write", "webhooks:manage"])).body;
    const byKey = await request("POST", "/v1/api-keys", {
      bearer: key,
      body: { name: "child", scopes: ["couriers:read"] },
    });
    expect(byKey.status).toBe(403);
    expect((await request("GET", "/v1/api-keys", { bearer: key })).status).toBe(403);
  });

  it("validates scopes, names and ids", async () => {
    for (const scopes of [[], ["admin:everything"], ["couriers:read", "couriers:read"]]) {
      const res = await createKey(adminA, scopes);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
    expect((await createKey(adminA, ["couriers:read"], "   ")).status).toBe(400);
    const badId = await request("DELETE", "/v1/api-keys/key_1'%20OR%201=1", { cookie: adminA.cookie });
    expect(badId.status).toBe(400);
    expect(badId.body.error.code).toBe("invalid_request");
    const unknown = await request("DELETE", `/v1/api-keys/key_${"0".repeat(26)}`, { cookie: adminA.cookie });
    expect(unknown.status).toBe(404);
  });

  it("a key without couriers:read is refused the couriers list with 403", async () => {
    const { key } = (await createKey(adminA, ["shipments:read"])).body;
    const res = await request("GET", `/v1/carriers/${adminA.carrierId}/couriers`, { bearer: key });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain("couriers:read");
  });

  it("needs a signed-in caller", async () => {
    const res = await request("POST", "/v1/api-keys", { body: { name: "x", scopes: ["couriers:read"] } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("unauthenticated");
  });
});

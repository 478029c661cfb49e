import { ManualClock } from "@threshold/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../../test/databases.js";
import { type SignedInUser, signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { type ApiRequest, apiClient } from "../../test/http.js";

describe.each(TEST_DATABASES)("webhook endpoints API on %s", (database) => {
  const clock = new ManualClock();
  let server: TestServer;
  let request: ApiRequest;
  let adminA: SignedInUser;
  let adminB: SignedInUser;
  let keyA: string;
  beforeAll(async () => {
    // Default settings: https only, no loopback.
    server = await startTestServer({ database, clock });
    request = apiClient(server.url);
    adminA = await signInAs(server, "carrier_admin");
    adminB = await signInAs(server, "carrier_admin");
    const created = await request("POST", "/v1/api-keys", {
      cookie: adminA.cookie,
      body: { name: "integration", scopes: ["webhooks:manage"] },
    });
    keyA = created.body.key;
  });
  afterAll(() => server.destroy());

  const create = (bearer: string, body: unknown) => request("POST", "/v1/webhooks/endpoints", { bearer, body });

  it("registers an endpoint with an API key; the secret is whsec_, readable again only by its carrier", async () => {
    const created = await create(keyA, { url: "https://hooks.example.com/threshold", eventTypes: ["visit.incident"] });
    expect(created.status).toBe(201);
    const { endpoint, secret } = created.body;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(endpoint).toEqual({
      id: expect.stringMatching(/^whe_/),
      url: "https://hooks.example.com/threshold",
      eventTypes: ["visit.incident"],
      createdAt: new Date(clock.now()).toISOString(),
      disabledAt: null,
    });

    const listed = await request("GET", "/v1/webhooks/endpoints", { bearer: keyA });
    expect(listed.status).toBe(200);
    expect(listed.body.endpoints).toContainEqual(endpoint);
    expect(JSON.stringify(listed.body)).not.toContain(secret.slice(6));

    const again = await request("GET", `/v1/webhooks/endpoints/${endpoint.id}/secret`, { bearer: keyA });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ secret });
    expect(again.headers.get("cache-control")).toBe("no-store");

    // The carrier admin manages the same endpoints; every event type when none is named.
    const byAdmin = await request("POST", "/v1/webhooks/endpoints", {
      cookie: adminA.cookie,
      body: { url: "https://hooks.example.com/all" },
    });
    expect(byAdmin.status).toBe(201);
    expect(byAdmin.body.endpoint.eventTypes).toEqual(["*"]);
    const one = await request("GET", `/v1/webhooks/endpoints/${endpoint.id}`, { cookie: adminA.cookie });
    expect(one.body).toEqual(endpoint);

    // Registering is itself a fact in the audit chain (without the secret).
    const audit = await server.ctx.db
      .selectFrom("audit_events")
      .selectAll()
      .where("subject_id", "=", endpoint.id)
      .execute();
    expect(audit.map((e) => e.type)).toEqual(["webhook_endpoint.created"]);
    expect(audit[0]?.data).not.toContain(secret.slice(6));
  });

  it("disables an endpoint; disabling again keeps the first time", async () => {
    const { endpoint } = (await create(keyA, { url: "https://hooks.example.com/old" })).body;
    clock.advance(1000);
    const disabled = await request("DELETE", `/v1/webhooks/endpoints/${endpoint.id}`, { bearer: keyA });
    expect(disabled.status).toBe(200);
    expect(disabled.body.disabledAt).toBe(new Date(clock.now()).toISOString());
    clock.advance(1000);
    const again = await request("DELETE", `/v1/webhooks/endpoints/${endpoint.id}`, { bearer: keyA });
    expect(again.body.disabledAt).toBe(disabled.body.disabledAt);
  });

  it("answers 404 for another carrier's endpoint, whatever the call", async () => {
    const { endpoint } = (
      await request("POST", "/v1/webhooks/endpoints", {
        cookie: adminB.cookie,
        body: { url: "https://b.example.com/in" },
      })
    ).body;
    for (const [method, path] of [
      ["GET", `/v1/webhooks/endpoints/${endpoint.id}`],
      ["GET", `/v1/webhooks/endpoints/${endpoint.id}/secret`],
      ["GET", `/v1/webhooks/endpoints/${endpoint.id}/deliveries`],
      ["DELETE", `/v1/webhooks/endpoints/${endpoint.id}`],
    ] as const) {
      for (const auth of [{ bearer: keyA }, { cookie: adminA.cookie }]) {
        const res = await request(method, path, auth);
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(res.body.error.code).toBe("not_found");
      }
    }
    const listA = await request("GET", "/v1/webhooks/endpoints", { bearer: keyA });
    expect(listA.body.endpoints.map((e: { id: string }) => e.id)).not.toContain(endpoint.id);
    const stillOn = await request("GET", `/v1/webhooks/endpoints/${endpoint.id}`, { cookie: adminB.cookie });
    expect(stillOn.body.disabledAt).toBeNull();
    expect((await request("GET", `/v1/webhooks/endpoints/whe_${"0".repeat(26)}`, { bearer: keyA })).status).toBe(404);
    const retry = await request("POST", `/v1/webhooks/deliveries/msg_${"0".repeat(26)}/retry`, { bearer: keyA });
    expect(retry.status).toBe(404);
  });

  it("needs webhooks:manage or a carrier admin: other keys and roles get 403, nobody 401", async () => {
    const { key: readOnly } = (
      await request("POST", "/v1/api-keys", {
        cookie: adminA.cookie,
        body: { name: "reader", scopes: ["shipments:read", "shipments:write", "couriers:read"] },
      })
    ).body;
    const wrongScope = await create(readOnly, { url: "https://hooks.example.com/x" });
    expect(wrongScope.status).toBe(403);
    expect(wrongScope.body.error.code).toBe("forbidden");
    expect(wrongScope.body.error.message).toContain("webhooks:manage");
    expect((await request("GET", "/v1/webhooks/endpoints", { bearer: readOnly })).status).toBe(403);

    const courier = await signInAs(server, "courier", { carrierId: adminA.carrierId ?? undefined });
    for (const user of [courier, await signInAs(server, "recipient"), await signInAs(server, "operator")]) {
      const res = await request("GET", "/v1/webhooks/endpoints", { cookie: user.cookie });
      expect(res.status, user.role).toBe(403);
    }
    const anonymous = await request("POST", "/v1/webhooks/endpoints", { body: { url: "https://hooks.example.com/" } });
    expect(anonymous.status).toBe(401);
  });

  it("refuses bad URLs with 400 webhook_url_refused, and bad bodies and ids with 400 invalid_request", async () => {
    const before = (await request("GET", "/v1/webhooks/endpoints", { bearer: keyA })).body.endpoints.length;
    for (const url of [
      "hooks.example.com/in",
      "ftp://hooks.example.com/in",
      "http://hooks.example.com/in",
      "https://user:pass@hooks.example.com/in",
      "https://hooks.example.com/in#x",
      "https://10.0.0.7/in",
      "https://169.254.169.254/latest/meta-data",
      "https://[fd00::1]/in",
      // IPv4 inside IPv6: IPv4-compatible, SIIT, mapped (hex), NAT64, 6to4.
      "https://[::127.0.0.1]/",
      "https://[::a00:7]/in",
      "https://[::ffff:0:a9fe:a9fe]/latest/meta-data",
      "https://[::ffff:7f00:1]/in",
      "https://[64:ff9b::a00:7]/in",
      "https://[2002:c0a8:101::1]/in",
      "https://127.0.0.1/in",
      "https://localhost/in",
      // Loopback over http is for tests and demos only, behind WEBHOOK_ALLOW_HTTP_LOOPBACK.
      "http://127.0.0.1:8080/in",
    ]) {
      const res = await create(keyA, { url });
      expect(res.status, url).toBe(400);
      expect(res.body.error.code, url).toBe("webhook_url_refused");
    }
    expect((await request("GET", "/v1/webhooks/endpoints", { bearer: keyA })).body.endpoints).toHaveLength(before);
    for (const body of [
      {},
      { url: "" },
      { url: "https://hooks.example.com/", eventTypes: [] },
      { url: "https://hooks.example.com/", eventTypes: ["shipment.lost"] },
      { url: "https://hooks.example.com/", eventTypes: ["visit.opened", "visit.opened"] },
      { url: "https://hooks.example.com/", secret: "whsec_mine" },
    ]) {
      const res = await create(keyA, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
    const badId = await request("GET", "/v1/webhooks/endpoints/whe_1'%20OR%201=1/secret", { bearer: keyA });
    expect(badId.status).toBe(400);
  });
});

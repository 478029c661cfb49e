import { ManualClock } from "@threshold/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../../test/databases.js";
import { signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { type ApiRequest, apiClient } from "../../test/http.js";
import { WEBHOOK_EVENT_TYPES } from "./event-types.js";

describe.each(TEST_DATABASES)("the webhook event catalogue on %s", (database) => {
  let server: TestServer;
  let request: ApiRequest;
  beforeAll(async () => {
    server = await startTestServer({ database, clock: new ManualClock() });
    request = apiClient(server.url);
  });
  afterAll(() => server.destroy());

  it("lists every event type an endpoint accepts, in order, each with a sentence", async () => {
    const admin = await signInAs(server, "carrier_admin");
    const res = await request("GET", "/v1/webhooks/event-types", { cookie: admin.cookie });
    expect(res.status).toBe(200);
    const types = res.body.eventTypes as { type: string; description: string }[];
    expect(types.map((t) => t.type)).toEqual([...WEBHOOK_EVENT_TYPES]);
    for (const t of types) expect(t.description).toMatch(/^[A-Z].{10,}\.\)?$/);
    // Each listed type is one the endpoint API takes.
    const created = await request("POST", "/v1/webhooks/endpoints", {
      cookie: admin.cookie,
      body: { url: "https://hooks.example.com/all-listed", eventTypes: types.map((t) => t.type) },
    });
    expect(created.status).toBe(201);
  });

  it("is for those who manage webhooks: 401 without credentials, 403 for others and keys without webhooks:manage", async () => {
    expect((await request("GET", "/v1/webhooks/event-types")).status).toBe(401);
    const admin = await signInAs(server, "carrier_admin");
    const key = await request("POST", "/v1/api-keys", {
      cookie: admin.cookie,
      body: { name: "read only", scopes: ["shipments:read"] },
    });
    const withScope = await request("POST", "/v1/api-keys", {
      cookie: admin.cookie,
      body: { name: "hooks", scopes: ["webhooks:manage"] },
    });
    expect((await request("GET", "/v1/webhooks/event-types", { bearer: withScope.body.key })).status).toBe(200);
    const others = [
      { bearer: key.body.key as string },
      { cookie: (await signInAs(server, "recipient")).cookie },
      { cookie: (await signInAs(server, "courier")).cookie },
    ];
    for (const auth of others) {
      const res = await request("GET", "/v1/webhooks/event-types", auth);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe("forbidden");
    }
  });
});

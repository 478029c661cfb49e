import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../../test/databases.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { apiClient } from "../../test/http.js";

describe.each(TEST_DATABASES)("HTTP basics on %s", (database) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ database });
  });
  afterAll(() => server.destroy());

  it("GET /health reports ok with the database and broker", async () => {
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ status: "ok", database: { ok: true, dialect: database }, broker: { ok: true } });
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
  });

  it("answers unknown routes with the stable error shape", async () => {
    const res = await apiClient(server.url)("GET", "/v1/nothing-here");
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: "not_found" });
    expect(res.body.error.requestId).toBe(res.headers.get("x-request-id"));
  });
});

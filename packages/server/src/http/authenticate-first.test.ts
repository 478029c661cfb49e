import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../test/databases.js";
import { startTestServer, type TestServer } from "../test/harness.js";
import { type ApiRequest, apiClient, type RequestOptions } from "../test/http.js";

/**
 * The only routes an anonymous caller may reach. Each one either needs nothing or checks its own
 * credential (a pairing poll token, a share link's token, a camera's signature, a kiosk's code).
 * A route added to this list is a deliberate choice, so the list is spelled out.
 */
const PUBLIC_ROUTES = [
  "GET /health",
  "GET /v1/keys",
  "POST /v1/auth/login",
  "POST /v1/pairing-requests",
  "GET /v1/pairing-requests/{id}",
  "GET /v1/shared-keys/{token}",
  "GET /v1/lockers/banks/{id}",
  "POST /v1/lockers/banks/{id}/kiosk/code",
  "PUT /v1/cameras/{deviceId}/segments/{sequence}",
  "GET /v1/demo",
];

interface Operation {
  method: string;
  route: string;
  security: unknown[] | undefined;
}

function operationsOf(document: unknown): Operation[] {
  const paths = (document as { paths: Record<string, Record<string, { security?: unknown[] }>> }).paths;
  return Object.entries(paths).flatMap(([route, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      method: method.toUpperCase(),
      route,
      security: operation.security,
    })),
  );
}

/** Every path parameter filled with something no schema accepts, and a query no schema expects. */
function hostilePath(route: string): string {
  return `${route.replace(/\{[^}]+\}/g, "not%20an%20id")}?limit=many&unexpected=1`;
}

const HOSTILE_BODIES: { name: string; options: RequestOptions }[] = [
  { name: "a body with the wrong fields", options: { body: { unexpected: true, code: 42, bankId: ["x"] } } },
  { name: "a body that is not JSON", options: { rawBody: '{"unexpected": ' } },
  { name: "a body of the wrong media type", options: { rawBody: "x=1", headers: { "content-type": "text/csv" } } },
];

describe.each(TEST_DATABASES)("authentication comes before validation, on every route, on %s", (database) => {
  let server: TestServer;
  let request: ApiRequest;
  let operations: Operation[];

  beforeAll(async () => {
    server = await startTestServer({ database });
    request = apiClient(server.url);
    operations = operationsOf(server.app.swagger());
  });
  afterAll(() => server?.destroy());

  it("declares who may call every route, and only the listed routes are public", () => {
    expect(operations.length).toBeGreaterThan(100);
    const undeclared = operations.filter((o) => o.security === undefined).map((o) => `${o.method} ${o.route}`);
    expect(undeclared).toEqual([]);
    const open = operations.filter((o) => o.security?.length === 0).map((o) => `${o.method} ${o.route}`);
    expect(open.sort()).toEqual([...PUBLIC_ROUTES].sort());
  });

  it("answers an anonymous caller 401 unauthenticated, whatever the request, and shows no schema details", async () => {
    const wrong: string[] = [];
    for (const { method, route } of operations) {
      if (PUBLIC_ROUTES.includes(`${method} ${route}`)) continue;
      for (const { name, options } of method === "GET" ? [{ name: "no body", options: {} }] : HOSTILE_BODIES) {
        const res = await request(method, hostilePath(route), options);
        if (res.status !== 401 || res.body?.error?.code !== "unauthenticated" || res.body.error.details !== undefined) {
          wrong.push(`${method} ${route} with ${name}: ${res.status} ${res.body?.error?.code}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it("answers a caller with a bad session or a bad API key 401 before looking at the body", async () => {
    for (const credential of [{ cookie: "th_session=forged" }, { bearer: "thk_forged" }]) {
      const res = await request("POST", "/v1/sites", { ...credential, body: { unexpected: true } });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("unauthenticated");
      expect(res.body.error.details).toBeUndefined();
    }
  });

  it("answers bad credentials 401 on public routes without input too, as their documents say", async () => {
    const document: unknown = server.app.swagger();
    const paths = (document as { paths: Record<string, Record<string, { responses: object }>> }).paths;
    for (const route of ["/health", "/v1/keys"]) {
      expect(Object.keys(paths[route]?.get?.responses ?? {}), route).toContain("401");
      for (const credential of [{ cookie: "th_session=forged" }, { bearer: "thk_forged" }]) {
        const res = await request("GET", route, credential);
        expect(res.status, `${route} with ${JSON.stringify(credential)}`).toBe(401);
        expect(res.body.error.code).toBe("unauthenticated");
      }
    }
  });

  it("still validates the body of a public route", async () => {
    const res = await request("POST", "/v1/auth/login", { body: { unexpected: true } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../test/harness.js";

const DEMO = {
  password: "threshold-demo",
  accounts: [
    { email: "alex@demo.threshold.test", name: "Alex Morgan", role: "recipient" as const },
    { email: "jo@demo.threshold.test", name: "Jo Bakker", role: "recipient" as const, title: "Resident" },
  ],
};

describe("GET /v1/demo", () => {
  let plain: TestServer;
  let demo: TestServer;
  beforeAll(async () => {
    [plain, demo] = await Promise.all([
      startTestServer({ database: "sqlite" }),
      startTestServer({ database: "sqlite", demo: DEMO }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([plain.destroy(), demo.destroy()]);
  });

  it("lists the demo's logins to anyone, on a demo server", async () => {
    const res = await fetch(`${demo.url}/v1/demo`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(DEMO);
  });

  it("is not found on any other server, so a real deployment advertises no accounts", async () => {
    const res = await fetch(`${plain.url}/v1/demo`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_found");
  });
});

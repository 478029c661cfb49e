import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../test/databases.js";
import { createTestAccount } from "../test/fixtures.js";
import { startTestServer, type TestServer } from "../test/harness.js";
import { apiClient } from "../test/http.js";
import { createLogger, REDACTED, redactUrl } from "./index.js";

describe("redactUrl", () => {
  it("hides a share link's token, in the page and in the API call, and keeps the rest", () => {
    expect(redactUrl("/k/abcDEF123_-")).toBe(`/k/${REDACTED}`);
    expect(redactUrl("/v1/shared-keys/abcDEF123_-")).toBe(`/v1/shared-keys/${REDACTED}`);
    expect(redactUrl("/v1/shared-keys/abc/more")).toBe(`/v1/shared-keys/${REDACTED}/more`);
    expect(redactUrl("/v1/visits/vis_123")).toBe("/v1/visits/vis_123");
  });

  it("keeps query names and hides their values", () => {
    expect(redactUrl("/v1/audit/events?subjectId=vis_1&limit=5")).toBe(
      `/v1/audit/events?subjectId=${REDACTED}&limit=${REDACTED}`,
    );
    expect(redactUrl("/k/tok?x=1")).toBe(`/k/${REDACTED}?x=${REDACTED}`);
  });
});

describe.each(TEST_DATABASES)("the server's logs on %s", (database) => {
  const lines: string[] = [];
  let server: TestServer;
  let cookie = "";
  const password = "a very secret password 42";
  const shareToken = "S3cretShareTokenS3cretShareTokenS3cretShare";
  const apiKey = "thk_notarealkeybutsecretanyway000000000000";

  beforeAll(async () => {
    const log = createLogger({ logLevel: "info" }, { write: (line: string) => void lines.push(line) });
    server = await startTestServer({ database, log });
    await createTestAccount(server, { email: "logs@example.test", password, role: "recipient" });
    const request = apiClient(server.url);
    const login = await request("POST", "/v1/auth/login", { body: { email: "logs@example.test", password } });
    expect(login.status).toBe(200);
    cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    await request("GET", "/v1/auth/me", { cookie });
    await request("GET", `/v1/shared-keys/${shareToken}`);
    await request("GET", `/k/${shareToken}`, { headers: { accept: "text/html" } });
    await request("GET", "/v1/sites", { bearer: apiKey });
    server.ctx.log.info({ password, nested: { token: shareToken }, pin: "1234" }, "a careless log call");
    // Request lines are written when the response ends, before the client reads it: all are in by now.
    expect(lines.some((line) => line.includes("/v1/shared-keys/"))).toBe(true);
  });
  afterAll(() => server?.destroy());

  it("writes one JSON object per line, each with pid, hostname, level, time and message", () => {
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      expect(entry).toMatchObject({ pid: process.pid, hostname: os.hostname() });
      expect(typeof entry.level).toBe("number");
      expect(typeof entry.time).toBe("number");
      expect(typeof entry.msg).toBe("string");
    }
  });

  it("logs requests with their id, method, route and status", () => {
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const completed = entries.find(
      (e) => e.msg === "request completed" && (e.res as { statusCode?: number } | undefined)?.statusCode === 200,
    );
    expect(completed?.reqId).toMatch(/^req_/);
    const incoming = entries.find((e) => e.msg === "incoming request" && e.reqId === completed?.reqId);
    expect(incoming?.req).toMatchObject({ method: expect.any(String), url: expect.any(String) });
  });

  it("never writes a password, a share token, a session, an API key or a PIN", () => {
    const text = lines.join("\n");
    const session = cookie.split("=")[1] ?? "";
    expect(session.length).toBeGreaterThan(10);
    for (const secret of [password, shareToken, session, apiKey, '"1234"']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain(`/v1/shared-keys/${REDACTED}`);
    expect(text).toContain(`/k/${REDACTED}`);
    const careless = lines.map((line) => JSON.parse(line)).find((e) => e.msg === "a careless log call");
    expect(careless).toMatchObject({ password: REDACTED, nested: { token: REDACTED }, pin: REDACTED });
  });
});

import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../../test/databases.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { type ApiRequest, apiClient } from "../../test/http.js";
import { sessionCookie } from "./session-cookie.js";

describe("session cookie", () => {
  it("is Secure when the server is reached over HTTPS", () => {
    const cookie = sessionCookie({ publicUrl: "https://threshold.example", sessionTtlMs: 3_600_000 }, "tok");
    expect(cookie).toBe("th_session=tok; HttpOnly; SameSite=Lax; Path=/; Max-Age=3600; Secure");
  });
});

describe.each(TEST_DATABASES)("bad input to POST /v1/auth/login on %s", (database) => {
  let server: TestServer;
  let request: ApiRequest;
  beforeAll(async () => {
    server = await startTestServer({ database });
    request = apiClient(server.url);
  });
  afterAll(() => server.destroy());

  it("malformed JSON is 400 invalid_json", async () => {
    const res = await request("POST", "/v1/auth/login", { rawBody: '{"email": "a@b.c", ' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_json");
  });

  it("wrong types are 400 invalid_request, naming the field", async () => {
    const res = await request("POST", "/v1/auth/login", { body: { email: 42, password: "x" } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
    expect(res.body.error.message).toContain("/email");
  });

  it("missing fields and unknown fields are 400 invalid_request", async () => {
    expect((await request("POST", "/v1/auth/login", { body: { email: "a@b.c" } })).body.error.code).toBe(
      "invalid_request",
    );
    const extra = await request("POST", "/v1/auth/login", { body: { email: "a@b.c", password: "x", admin: true } });
    expect(extra.status).toBe(400);
    expect(extra.body.error.code).toBe("invalid_request");
  });

  it("no body at all is 400 invalid_request", async () => {
    const res = await request("POST", "/v1/auth/login");
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
  });

  it("a body over 64 KiB is 413 payload_too_large", async () => {
    const res = await request("POST", "/v1/auth/login", {
      body: { email: "a@b.c", password: "x".repeat(65 * 1024) },
    });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe("payload_too_large");
  });

  it("a body without a content type is 415 unsupported_media_type, saying to send JSON", async () => {
    const res = await postWithoutContentType(`${server.url}/v1/auth/login`, '{"email":"a@b.c","password":"x"}');
    expect(res.status).toBe(415);
    expect(JSON.parse(res.body).error).toMatchObject({
      code: "unsupported_media_type",
      message: "Send the body as application/json.",
    });
  });

  it("a form-encoded body is 415 unsupported_media_type", async () => {
    const res = await request("POST", "/v1/auth/login", {
      rawBody: "email=a%40b.c&password=x",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe("unsupported_media_type");
  });

  it("changes nothing: no session and no recorded failure", async () => {
    await request("POST", "/v1/auth/login", { rawBody: "not json" });
    const sessions = await server.ctx.db.selectFrom("sessions").select("token_hash").execute();
    const failures = await server.ctx.db.selectFrom("login_failures").select("subject").execute();
    expect(sessions).toEqual([]);
    expect(failures).toEqual([]);
  });
});

/** fetch() always labels a string body text/plain, so a body with no Content-Type needs node:http. */
function postWithoutContentType(url: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", headers: { "content-length": Buffer.byteLength(body) } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

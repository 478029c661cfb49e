import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../test/harness.js";

const page = { accept: "text/html,application/xhtml+xml" };

describe("the web app served by the server", () => {
  let server: TestServer;
  let webDir: string;
  beforeAll(async () => {
    webDir = fs.mkdtempSync(path.join(os.tmpdir(), "threshold-web-"));
    fs.mkdirSync(path.join(webDir, "assets"));
    fs.writeFileSync(path.join(webDir, "index.html"), "<!doctype html><title>Threshold</title><div id=root></div>");
    fs.writeFileSync(path.join(webDir, "assets", "app-1234.js"), "console.log('app')");
    fs.writeFileSync(path.join(webDir, "favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
    server = await startTestServer({ database: "sqlite", env: { WEB_DIR: webDir } });
  });
  afterAll(async () => {
    await server.destroy();
    fs.rmSync(webDir, { recursive: true, force: true });
  });

  it("serves the app at / and at any client-side route a browser asks for, never cached", async () => {
    for (const url of ["/", "/deliveries/shp_01m8aaaaaaaaaaaaaaaaaaaaaa", "/stops"]) {
      const res = await fetch(`${server.url}${url}`, { headers: page });
      expect(res.status, url).toBe(200);
      expect(res.headers.get("content-type")).toContain("text/html");
      expect(res.headers.get("cache-control")).toBe("no-cache");
      expect(await res.text()).toContain("<div id=root>");
    }
  });

  it("serves a guest key's share page /k/{token} never stored and never sent on as a referrer (the token is the key)", async () => {
    const token = "Zk3x9Qm2Lw8Rt5Vb7Nc4Hd6Jf1Gs0PaYe";
    for (const url of [`/k/${token}`, `/k/${token}?from=sms`]) {
      const res = await fetch(`${server.url}${url}`, { headers: page });
      expect(res.status, url).toBe(200);
      expect(await res.text()).toContain("<div id=root>");
      expect(res.headers.get("cache-control"), url).toBe("no-store");
      expect(res.headers.get("referrer-policy"), url).toBe("no-referrer");
    }
    // Every other page keeps its policy: revalidated, not forbidden from the cache.
    const other = await fetch(`${server.url}/keys`, { headers: page });
    expect(other.headers.get("cache-control")).toBe("no-cache");
  });

  it("serves hashed assets cacheable for a year, and other files revalidated", async () => {
    const asset = await fetch(`${server.url}/assets/app-1234.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const icon = await fetch(`${server.url}/favicon.svg`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get("cache-control")).toBe("no-cache");
  });

  it("never answers an API path with the app: unknown routes keep the JSON 404", async () => {
    for (const url of ["/v1/nothing-here", "/v1", "/health/x", "/docs/missing.json"]) {
      const res = await fetch(`${server.url}${url}`, { headers: page });
      expect(res.status, url).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_found");
    }
    const missingAsset = await fetch(`${server.url}/assets/gone.js`);
    expect(missingAsset.status).toBe(404);
    expect(((await missingAsset.json()) as { error: { code: string } }).error.code).toBe("not_found");
  });

  it("does not let a path climb out of the app's directory", async () => {
    const res = await fetch(`${server.url}/assets/..%2f..%2f..%2fetc%2fpasswd`);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain("root:");
  });
});

describe("a server without a built web app", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      database: "sqlite",
      env: { WEB_DIR: path.join(os.tmpdir(), "threshold-no-such-web-dir") },
    });
  });
  afterAll(() => server.destroy());

  it("says at / how to build it, and the API still answers", async () => {
    const res = await fetch(`${server.url}/`, { headers: page });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("npm run build -w @threshold/web");
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect((await fetch(`${server.url}/v1/nope`)).status).toBe(404);
  });
});

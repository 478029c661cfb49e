import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type Spawned, spawnThreshold } from "./spawned.js";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "threshold-serve-"));
let serve: Spawned | undefined;
afterAll(async () => {
  await serve?.kill();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("threshold serve", () => {
  it("writes only JSON log lines with pid and hostname, serves metrics on its own port, and stops on SIGTERM", async () => {
    serve = spawnThreshold(["serve"], {
      DATA_DIR: dataDir,
      PORT: "0",
      MQTT_PORT: "0",
      METRICS_PORT: "0",
      LOG_LEVEL: "info",
    });
    const listening = JSON.parse(await serve.line((line) => line.includes("Threshold listening"))) as {
      url: string;
      metricsUrl: string;
    };
    expect(listening.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);

    expect((await fetch(`${listening.url}/health`)).status).toBe(200);
    const scrape = await fetch(listening.metricsUrl);
    expect(scrape.status).toBe(200);
    const text = await scrape.text();
    expect(text).toContain('threshold_http_requests_total{method="GET",route="/health",status_code="200"} 1');
    expect(text).toContain("nodejs_eventloop_lag_seconds");

    serve.child.kill("SIGTERM");
    expect(await serve.exited).toBe(0);
    expect(serve.lines.length).toBeGreaterThan(2);
    for (const line of serve.lines) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      expect(entry).toMatchObject({ pid: serve.child.pid, hostname: os.hostname() });
    }
    expect(serve.lines.some((line) => line.includes("Stopping"))).toBe(true);
    // A whole server in a child process (its TypeScript compiled on the way): slow on a busy 2-core machine.
  }, 120_000);
});

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";
import { findChromium } from "./support/chromium.js";

/**
 * One fresh demo server (`threshold demo`, as `npm start` runs it) on free loopback ports with a
 * temporary data directory, for the whole run. The runner picks the ports and directory once and
 * hands them to its workers through the environment (workers load this file again).
 */
function freePortSync(): number {
  // A child process binds port 0 and reports it: synchronous, because the config must be.
  const script =
    "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})";
  return Number(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" }));
}

if (!process.env.E2E_PORT) {
  process.env.E2E_PORT = String(freePortSync());
  process.env.E2E_MQTT_PORT = String(freePortSync());
  process.env.E2E_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "threshold-e2e-"));
}
const port = process.env.E2E_PORT;
const baseURL = `http://127.0.0.1:${port}`;
const chromium = findChromium();
if (!chromium) throw new Error("no Chromium: run the browser tests through `npm test` or set CHROMIUM_PATH");

export default defineConfig({
  testDir: ".",
  testMatch: "**/*.spec.ts",
  // One server and one home: specs change shared state (access blocked, visits), so they run in order.
  workers: 1,
  fullyParallel: false,
  // Bounds on a failure, not verdicts (docs/testing.md). Every screen is also checked for
  // accessibility (support/axe.ts): well under a second on an idle machine, several on a loaded one.
  timeout: 120_000,
  expect: { timeout: 20_000 },
  reporter: [["list"]],
  // Traces and screenshots of failures; one directory per run, since Playwright empties it at start.
  outputDir: path.resolve(import.meta.dirname, `../test-results/e2e-${port}`),
  globalTeardown: "./support/teardown.ts",
  use: {
    baseURL,
    browserName: "chromium",
    launchOptions: { executablePath: chromium },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [{ name: "phone", use: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } }],
  webServer: {
    command: "node packages/cli/bin/threshold.js demo",
    cwd: path.resolve(import.meta.dirname, ".."),
    reuseExistingServer: false,
    timeout: 60_000,
    // Listening is not enough: the demo seeds accounts, pairs its lock and camera, then prints this.
    // (No `url`: Playwright races the two, and /health answers long before the demo is seeded.)
    wait: { stdout: /Threshold is running\./ },
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PORT: port ?? "",
      MQTT_PORT: process.env.E2E_MQTT_PORT ?? "",
      DATA_DIR: process.env.E2E_DATA_DIR ?? "",
      HOST: "127.0.0.1",
      PUBLIC_URL: baseURL,
      // The carrier's webhook screen is tested against a receiver the test starts on loopback.
      WEBHOOK_ALLOW_HTTP_LOOPBACK: "true",
      // e2e/run.ts builds the app into its own directory, so parallel runs never share a build.
      ...(process.env.E2E_WEB_DIR ? { WEB_DIR: process.env.E2E_WEB_DIR } : {}),
    },
  },
});

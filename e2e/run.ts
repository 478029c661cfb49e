/**
 * `npm test`'s second half: the browser tests. Runs them when a Chromium is found; without one it
 * says so and passes — except under CI (CI=true), where a missing browser is a failure.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { findChromium } from "./support/chromium.js";

const chromium = findChromium();
if (!chromium) {
  const how = "install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH";
  if (process.env.CI === "true") {
    console.error(`e2e: no Chromium found, and CI=true: browser tests cannot be skipped here; ${how}.`);
    process.exit(1);
  }
  console.warn(`\ne2e: SKIPPED the browser tests: no Chromium found; ${how} to run them.\n`);
  process.exit(0);
}

const webDir = fs.mkdtempSync(path.join(os.tmpdir(), "threshold-e2e-web-"));
const env = { ...process.env, CHROMIUM_PATH: chromium, E2E_WEB_DIR: webDir };
const run = (command: string, args: string[]): number =>
  spawnSync(command, args, { stdio: "inherit", env }).status ?? 1;

console.log(`e2e: building the web app, then the browser tests with ${chromium}`);
let status = run("npx", ["vite", "build", "packages/web", "--outDir", webDir, "--emptyOutDir", "--logLevel", "warn"]);
if (status === 0)
  status = run("npx", ["playwright", "test", "-c", "e2e/playwright.config.ts", ...process.argv.slice(2)]);
fs.rmSync(webDir, { recursive: true, force: true });
process.exit(status);

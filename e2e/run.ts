/**
 * `npm test`'s second half: the browser tests. Runs them when a Chromium is found; without one it
 * says so and passes — except under CI (CI=true), where a missing browser is a failure.
 */
import { spawnSync } from "node:child_process";
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

const run = (command: string, args: string[]) => {
  const result = spawnSync(command, args, { stdio: "inherit", env: { ...process.env, CHROMIUM_PATH: chromium } });
  if (result.status !== 0) process.exit(result.status ?? 1);
};
console.log(`e2e: building the web app, then the browser tests with ${chromium}`);
run("npm", ["run", "build:web", "--silent"]);
run("npx", ["playwright", "test", "-c", "e2e/playwright.config.ts", ...process.argv.slice(2)]);

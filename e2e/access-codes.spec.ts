import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import type { Browser, Page } from "@playwright/test";
import { createStopForSam, DEMO_HOME_LOCATION } from "./support/courier-stops.js";
import { DEMO, saveScreenshot, signInAs } from "./support/demo.js";
import { expect, test } from "./support/fixtures.js";

const HOUR = 3_600_000;
const run = promisify(execFile);

/**
 * Types on the demo lock's keypad through `threshold keypad type`, as a courier's fingers would:
 * the demo runs its fleet in-process, and the fleet listens on a socket in its state directory.
 */
async function typeOnDemoKeypad(digits: string): Promise<string> {
  const dataDir = process.env.E2E_DATA_DIR;
  if (!dataDir) throw new Error("E2E_DATA_DIR is not set: run the browser tests through e2e/run.ts");
  const cli = path.resolve(import.meta.dirname, "../packages/cli/bin/threshold.js");
  const { stdout } = await run(process.execPath, [
    cli,
    "keypad",
    "type",
    digits,
    "--device",
    "front-door-lock",
    "--state-dir",
    path.join(dataDir, "fleet"),
  ]);
  return stdout;
}

async function pageFor(browser: Browser, email: string, geolocation = false): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    ...(geolocation ? { permissions: ["geolocation"], geolocation: DEMO_HOME_LOCATION } : {}),
  });
  const page = await context.newPage();
  await signInAs(page, email);
  return page;
}

test("the carrier asks for a one-time code; the courier scans, types it on the keypad, and locks up", async ({
  browser,
}) => {
  // Three people's screens, each checked for accessibility, and three runs of the CLI's keypad: a
  // loaded machine needs the room.
  test.setTimeout(180_000);
  const trackingNumber = `E2E-CODE-${Date.now().toString(36).toUpperCase()}`;
  const now = Date.now();
  const shipmentId = await createStopForSam(trackingNumber, { start: new Date(now - HOUR), end: new Date(now + HOUR) });

  // Dispatch asks for a code: Threshold sets it on the lock (disabled) and says so.
  const carrier = await pageFor(browser, DEMO.carrierAdmin);
  await carrier.goto(`/shipments/${shipmentId}/label`);
  const codes = carrier.getByRole("region", { name: "Keypad codes" });
  await expect(codes).toContainText("No codes for this shipment.");
  await codes.getByRole("button", { name: "Request a one-time code" }).click();
  const row = codes.getByTestId("access-code");
  await expect(row).toContainText("One-time code");
  await expect(row.locator("[data-status]")).toHaveText("Set on the lock", { timeout: 15_000 });
  // The carrier never sees the digits: only the courier does.
  await expect(codes).not.toContainText(/\d{4} \d{4}/);
  await expect(codes.getByRole("button", { name: "Request a one-time code" })).toHaveCount(0);
  await saveScreenshot(carrier, "carrier-access-code");

  // Sam's stop shows the code, and how it works.
  const courier = await pageFor(browser, DEMO.courier, true);
  await courier.goto(`/stops/${shipmentId}`);
  const stopCode = courier.getByRole("region", { name: "Keypad code" });
  await expect(stopCode).toContainText("This door opens with a keypad code.");
  const shown = (await stopCode.locator(".code-digits").textContent()) ?? "";
  const digits = shown.replaceAll(" ", "");
  expect(digits).toMatch(/^\d{8}$/);

  // Typed before checking in, the code opens nothing (it is set disabled) and counts as wrong.
  expect(await typeOnDemoKeypad(digits).catch((error: { stdout?: string }) => error.stdout ?? "")).toContain("Refused");

  // The scan checks in: every rule, the camera, then the code is enabled for a moment.
  await courier.getByLabel("Tracking number").fill(trackingNumber);
  await courier.getByRole("button", { name: "Check" }).click();
  const typeNow = courier.getByTestId("code-to-type");
  await expect(typeNow).toBeVisible({ timeout: 15_000 });
  await expect(typeNow).toHaveText(shown);
  await saveScreenshot(courier, "courier-type-code");

  // The courier types it: the lock opens and reports the code used; the page turns to Open.
  expect(await typeOnDemoKeypad(digits)).toContain("Opened");
  await expect(courier.getByText("Open", { exact: true })).toBeVisible({ timeout: 10_000 });
  await courier.getByRole("button", { name: "Done — lock the door" }).click();
  await expect(courier.getByText("Locked ✓")).toBeVisible({ timeout: 15_000 });

  // The code is spent: used, and a second typing opens nothing.
  await carrier.reload();
  await expect(codes.getByTestId("access-code").locator("[data-status]")).toHaveText(/Used|Removed/, {
    timeout: 15_000,
  });
  expect(await typeOnDemoKeypad(digits).catch((error: { stdout?: string }) => error.stdout ?? "")).toContain("Refused");
  await carrier.context().close();
  await courier.context().close();
});

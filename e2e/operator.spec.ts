import type { Page } from "@playwright/test";
import { DEMO, saveScreenshot, signInAs } from "./support/demo.js";
import { expect, test } from "./support/fixtures.js";

/**
 * The test server answers /health before the demo has paired its lock, camera, locker controller and car and brought
 * them online; wait for all four, then show the page afresh.
 */
async function waitForDemoDevices(page: Page): Promise<void> {
  await expect
    .poll(
      async () => {
        const body = (await (await page.request.get("/v1/operator/devices")).json()) as {
          counts?: { online: number };
        };
        return body.counts?.online ?? 0;
      },
      { timeout: 30_000 },
    )
    .toBeGreaterThanOrEqual(4);
  await page.reload();
}

test("the operator sees the demo fleet online, filters it, and reads the incidents", async ({ page }) => {
  await signInAs(page, DEMO.operator);
  await expect(page).toHaveURL(/\/fleet$/);
  await waitForDemoDevices(page);
  await expect(page.getByRole("heading", { name: "Fleet" })).toBeVisible();
  const devices = page.getByRole("table", { name: "Devices" });
  const lock = devices.getByRole("row").filter({ hasText: "Front door lock" });
  const camera = devices.getByRole("row").filter({ hasText: "Porch camera" });
  await expect(lock).toContainText("Online");
  await expect(lock).toContainText("Alex's home");
  await expect(lock).toContainText("%"); // the lock reports its battery
  await expect(camera).toContainText("Online");
  const lockers = devices.getByRole("row").filter({ hasText: "Lobby lockers" });
  await expect(lockers).toContainText("Online");
  await expect(lockers).toContainText("Canal House");
  await saveScreenshot(page, "operator-fleet");

  // Offline only: neither demo device is there.
  await page.getByRole("button", { name: /^Offline/ }).click();
  await expect(page.getByRole("button", { name: /^Offline/ })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByText("No devices match these filters.")).toBeVisible();
  await page.getByRole("button", { name: /^All/ }).click();
  await page.getByLabel("Kind").selectOption("camera");
  await expect(camera).toBeVisible();
  await expect(lock).toHaveCount(0);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Incidents" }).click();
  await expect(page.getByRole("heading", { name: "Incidents" })).toBeVisible();
  // A fresh demo has had no failed visit, so the empty state shows; after other specs' visits there
  // may be incidents, listed open first, each opening onto its timeline.
  const empty = page.getByText("No incidents");
  const listed = page.getByRole("region", { name: /^(Open|Resolved)$/ }).first();
  await expect(empty.or(listed)).toBeVisible();
  await saveScreenshot(page, "operator-incidents");
  if (await listed.isVisible()) {
    await listed.getByRole("link").first().click();
    await expect(page.getByRole("list", { name: "Timeline" })).toBeVisible();
  }
});

test("the operator reads the audit log, pages and filters it, and verifies the chain", async ({ page }) => {
  await signInAs(page, DEMO.operator);
  await waitForDemoDevices(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit" }).click();
  await expect(page.getByRole("heading", { name: "Audit" })).toBeVisible();
  const events = page.getByRole("table", { name: "Audit events" });
  // The demo's own setup is in the log from the first event on.
  await expect(events.getByRole("row").nth(1).getByRole("cell").first()).toHaveText("1");
  await expect(events).toContainText("Device paired");

  await page.getByLabel("Type").fill("device.");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(events.getByRole("row").filter({ hasText: "account." })).toHaveCount(0);
  await expect(events.getByRole("row").filter({ hasText: "device.paired" })).toHaveCount(4); // lock, camera, locker controller, car
  await page.getByRole("button", { name: "Clear" }).click();

  await page.getByRole("button", { name: "Verify chain" }).click();
  const verdict = page.getByRole("status").filter({ hasText: "Chain verified" });
  await expect(verdict).toBeVisible();
  await expect(verdict).toContainText(/All [\d,.\s]+ events are intact/);
  await saveScreenshot(page, "operator-audit");
});

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

  // At phone width the table is a named scroll region that says it scrolls, and the keyboard scrolls it.
  const region = page.getByRole("region", { name: /^Devices, scrolls sideways/ });
  await expect(region).toHaveAttribute("tabindex", "0");
  await expect(page.getByText("Swipe the table sideways")).toBeVisible();
  expect(await region.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
  await region.focus();
  await page.keyboard.press("ArrowRight");
  await expect.poll(() => region.evaluate((el) => el.scrollLeft)).toBeGreaterThan(0);

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
  const seqs = async () => (await events.locator("tbody tr td:first-child").allTextContents()).map(Number);
  // Newest first: the seqs go down the page, and "Older events" goes on from the last.
  await expect.poll(async () => (await seqs()).length).toBeGreaterThan(1);
  const first = await seqs();
  expect(first).toEqual([...first].sort((a, b) => b - a));
  const auditRegion = page.getByRole("region", { name: /^Audit events, newest first/ });
  await expect(auditRegion).toHaveAttribute("tabindex", "0");
  await auditRegion.scrollIntoViewIfNeeded();
  await saveScreenshot(page, "operator-audit-table");

  // Filters are chosen by name, not typed as ids: the demo's setup paired four devices.
  await page.getByRole("combobox", { name: /^Type/ }).selectOption({ label: "device.paired" });
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(events.getByRole("row").filter({ hasText: "Device paired" })).toHaveCount(4); // lock, camera, locker controller, car
  await page.getByRole("combobox", { name: /^Site/ }).selectOption({ label: "Canal House" });
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(events.getByRole("row").filter({ hasText: "Device paired" })).toHaveCount(1);
  await expect(events.locator("tbody tr").first()).toContainText("at Canal House");
  await page.getByRole("button", { name: "Clear" }).click();
  await expect(page.getByRole("combobox", { name: /^Site/ })).toHaveValue("");

  // What one person did, picked by name: Morgan, Canal House's manager, set up the lockers.
  await page
    .getByRole("combobox", { name: /^By/ })
    .selectOption({ label: "Morgan Lee (Canal House) (building manager)" });
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(events.locator("tbody tr").first()).toContainText("Morgan Lee (Canal House)");
  await page.getByRole("button", { name: "Clear" }).click();

  // One device, picked by its name and home: only its events.
  const lockName = "Front door lock — Alex's home";
  await page.getByRole("combobox", { name: /^Device/ }).selectOption({ label: lockName });
  await page.getByRole("button", { name: "Apply filters" }).click();
  const lockId = await page.getByRole("combobox", { name: /^Device/ }).inputValue();
  expect(lockId).toMatch(/^dev_/);
  await expect.poll(async () => events.locator("tbody tr").count()).toBeGreaterThan(0);
  for (const subject of await events.locator("tbody tr td:nth-child(4) > code").all()) {
    await expect(subject).toHaveAttribute("title", lockId);
  }
  await page.getByRole("button", { name: "Clear" }).click();

  await page.getByRole("button", { name: "Verify chain" }).click();
  const verdict = page.getByRole("status").filter({ hasText: "Chain verified" });
  await expect(verdict).toBeVisible();
  await expect(verdict).toContainText(/All [\d,.\s]+ events are intact/);
  await saveScreenshot(page, "operator-audit");
});

import { expect, type Page, test } from "@playwright/test";
import { DEMO, saveScreenshot, signInAs } from "./support/demo.js";

/**
 * The test server answers /health before the demo has made and assigned its shipments; wait
 * until its two in-home shipments are with Sam, then show the page afresh. (The demo also makes
 * one into the car's trunk, -C, and one into the lockers, -L: other stories.)
 */
async function waitForDemoShipments(page: Page): Promise<void> {
  await expect
    .poll(
      async () => {
        const body = (await (await page.request.get("/v1/shipments")).json()) as {
          shipments?: { trackingNumber: string; status: string }[];
        };
        return (body.shipments ?? []).filter((s) => /^DEMO-.*-[AB]$/.test(s.trackingNumber) && s.status === "assigned")
          .length;
      },
      { timeout: 30_000 },
    )
    .toBe(2);
  await page.reload();
}

test("the carrier admin sees the demo shipments and prints a label as PNG and PDF", async ({ page }) => {
  await signInAs(page, DEMO.carrierAdmin);
  await expect(page).toHaveURL(/\/shipments$/);
  await waitForDemoShipments(page);
  const list = page.getByRole("list", { name: "Shipments" });
  const first = list.getByRole("listitem").filter({ hasText: /DEMO-.*-A/ });
  const second = list.getByRole("listitem").filter({ hasText: /DEMO-.*-B/ });
  await expect(first).toBeVisible();
  await expect(second).toBeVisible();
  // Both go to Sam, the demo courier, named rather than shown as an id.
  await expect(first).toContainText("Sam");
  await expect(first).toContainText("Out with courier");

  await first.getByRole("link", { name: /Print label for DEMO-/ }).click();
  await expect(page).toHaveURL(/\/shipments\/shp_[0-9a-z]+\/label$/);
  const image = page.getByRole("img", { name: /Shipping label for DEMO-.*-A/ });
  await expect(image).toBeVisible();
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(812);
  // The window reads as on the label: in the home's zone (Amsterdam), 24-hour, the zone named.
  await expect(page.getByText(/\d\d:\d\d – .*\d\d:\d\d CES?T/)).toBeVisible();
  await saveScreenshot(page, "carrier-label");

  const pdfLink = page.getByRole("link", { name: "Open PDF to print" });
  const pdfUrl = await pdfLink.getAttribute("href");
  expect(pdfUrl).toMatch(/\/label\?format=pdf$/);
  // The same session cookie the page has.
  const pdf = await page.request.get(pdfUrl ?? "");
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()["content-type"]).toBe("application/pdf");
  expect((await pdf.body()).subarray(0, 5).toString("latin1")).toBe("%PDF-");
  const png = await page.request.get(
    (await page.getByRole("link", { name: "Download PNG" }).getAttribute("href")) ?? "",
  );
  expect(png.headers()["content-type"]).toBe("image/png");
});

test("a carrier label is nobody else's business", async ({ page }) => {
  await signInAs(page, DEMO.carrierAdmin);
  await waitForDemoShipments(page);
  await page
    .getByRole("list", { name: "Shipments" })
    .getByRole("link", { name: /Print label for DEMO-.*-A/ })
    .click();
  await expect(page.getByRole("img", { name: /Shipping label/ })).toBeVisible();
  const pdfUrl = (await page.getByRole("link", { name: "Open PDF to print" }).getAttribute("href")) ?? "";
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
  expect((await page.request.get(pdfUrl)).status()).toBe(401);
  await signInAs(page, DEMO.recipient);
  expect((await page.request.get(pdfUrl)).status()).toBe(403);
});

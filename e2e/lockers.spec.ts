import type { Browser, Page } from "@playwright/test";
import { expectAccessible } from "./support/axe.js";
import { createLockerParcelForJo } from "./support/courier-stops.js";
import { DEMO, DEMO_PASSWORD, saveScreenshot, signInAs } from "./support/demo.js";
import { expect, test } from "./support/fixtures.js";

/**
 * The bank's own screen: a tablet in the lobby, touch only, nobody signed in — unless the demo's
 * hands are to move, which need a demo login (`demoHandsOf`), like the demo keypad.
 */
async function kioskFor(browser: Browser, bankId: string, demoHandsOf?: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 800, height: 1280 }, hasTouch: true });
  const page = await context.newPage();
  if (demoHandsOf) await signInAs(page, demoHandsOf);
  await page.goto(`/kiosk/${bankId}`);
  await expect(page.getByRole("heading", { name: "Canal House lobby lockers" })).toBeVisible();
  await expectAccessible(page);
  return page;
}

test("a courier drops a parcel at the kiosk, the resident gets a code and collects it at the kiosk", async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const trackingNumber = `E2E-LOCKER-${Date.now().toString(36).toUpperCase()}`;
  const { bankId } = await createLockerParcelForJo(trackingNumber);

  // Sam signs in on the kiosk (courier mode) and scans the parcel: a compartment opens.
  const kiosk = await kioskFor(browser, bankId);
  await kiosk.getByRole("button", { name: "Courier? Sign in" }).click();
  const signIn = kiosk.getByRole("form", { name: "Courier sign-in" });
  await signIn.getByLabel("Email").fill(DEMO.courier);
  await signIn.getByLabel("Password").fill(DEMO_PASSWORD);
  await signIn.getByRole("button", { name: "Sign in" }).click();
  const dropOff = kiosk.getByRole("region", { name: "Courier drop-off" });
  await dropOff.getByLabel("Tracking number").fill(trackingNumber);
  await dropOff.getByRole("button", { name: "Open a compartment" }).click();
  const opened = dropOff.getByRole("status");
  await expect(opened).toContainText(/Compartment \d+ is open/);
  const compartment = Number(/Compartment (\d+)/.exec((await opened.textContent()) ?? "")?.[1]);
  // The 6 cm parcel goes into the smallest compartment that fits: an S (1–4).
  expect(compartment).toBeGreaterThanOrEqual(1);
  expect(compartment).toBeLessThanOrEqual(4);
  await saveScreenshot(kiosk, "kiosk-courier-drop-off");
  // Hands at the simulated bank; the controller reports door closed + occupied, signed.
  await dropOff.getByRole("button", { name: "Demo: put the parcel in and close the door" }).click();
  await expect(dropOff.getByText("Door closed.")).toBeVisible();
  await dropOff.getByRole("button", { name: "Sign out" }).click();

  // Jo sees the pickup card: the code, a QR, when it expires.
  const jo = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const joPage = await jo.newPage();
  await signInAs(joPage, DEMO.resident);
  await joPage.goto("/lockers");
  const card = joPage
    .getByTestId("pickup-card")
    .filter({ hasText: `Compartment ${compartment}` })
    .first();
  await expect(card).toBeVisible({ timeout: 15_000 });
  const code = ((await card.getByTestId("pickup-code").textContent()) ?? "").trim();
  expect(code).toMatch(/^\d{8}$/);
  await expect(card.getByRole("img", { name: /Pickup QR code/ })).toBeVisible();
  await expect(card).toContainText("Collect by");
  await saveScreenshot(joPage, "resident-pickup-card");

  // A wrong code first: refused, with tries left. (Jo's demo login moves the demo's hands.)
  const pickup = await kioskFor(browser, bankId, DEMO.resident);
  for (const digit of "00000000") await pickup.getByRole("button", { name: digit, exact: true }).click();
  await pickup.getByRole("button", { name: "Open", exact: true }).click();
  await expect(pickup.getByRole("alert")).toContainText("That code opens nothing here");
  await pickup.getByRole("button", { name: "Clear" }).click();

  // The right code, on the big keys: the compartment opens.
  for (const digit of code) await pickup.getByRole("button", { name: digit, exact: true }).click();
  await pickup.getByRole("button", { name: "Open", exact: true }).click();
  await expect(pickup.getByRole("status")).toContainText(`Compartment ${compartment} is open`);
  await saveScreenshot(pickup, "kiosk-pickup-open");
  await pickup.getByRole("button", { name: "Demo: take the parcel and close the door" }).click();
  await expect(pickup.getByText("Door closed.")).toBeVisible();

  // The empty, closed compartment confirmed the pickup: the card moves to Earlier.
  await expect(async () => {
    await joPage.reload();
    await expect(joPage.getByRole("region", { name: "Earlier" })).toContainText(trackingNumber);
  }).toPass({ timeout: 15_000 });
  await expect(joPage.getByRole("region", { name: "Earlier" })).toContainText("Picked up");

  // The same code typed again is told apart from a guess: already used, and no try is spent.
  // (The screen may already have gone back to code entry by itself.)
  const done = pickup.getByRole("button", { name: "Done" });
  if (await done.isVisible()) await done.click().catch(() => undefined);
  await expect(pickup.getByRole("button", { name: "Open", exact: true })).toBeVisible();
  for (const digit of code) await pickup.getByRole("button", { name: digit, exact: true }).click();
  await pickup.getByRole("button", { name: "Open", exact: true }).click();
  await expect(pickup.getByRole("alert")).toContainText("This code was already used");
  await expect(pickup.getByRole("alert")).not.toContainText("tries left");
});

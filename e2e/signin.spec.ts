import { expectAccessible } from "./support/axe.js";
import { DEMO, DEMO_PASSWORD, saveScreenshot, signInAs } from "./support/demo.js";
import { expect, test } from "./support/fixtures.js";

test("the sign-in page lists the demo accounts and fills the form from one", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/signin/);
  const demo = page.getByRole("region", { name: "Demo accounts" });
  await expect(demo).toContainText(DEMO_PASSWORD);
  await expect(demo).toContainText(DEMO.courier);
  await saveScreenshot(page, "sign-in");
  await demo.getByRole("button", { name: /Operator/ }).click();
  await expect(page.getByLabel("Email")).toHaveValue(DEMO.operator);
});

test("a wrong password gets the server's sentence and no session", async ({ page }) => {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(DEMO.recipient);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("Could not sign in.");
  await page.goto("/home");
  await expect(page).toHaveURL(/\/signin\?next=%2Fhome/);
});

test("each role lands on its own screen, and cannot open another role's", async ({ page }) => {
  await signInAs(page, DEMO.courier);
  await expect(page).toHaveURL(/\/stops$/);
  await page.goto("/fleet");
  await expect(page).toHaveURL(/\/stops$/);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
  await page.goto("/stops");
  await expect(page).toHaveURL(/\/signin/);
});

test("each audience lands where it works, sees only the screens it uses, and the demo's words agree", async ({
  page,
}) => {
  const nav = page.getByRole("navigation", { name: "Main" }).getByRole("link");

  // The sign-in page calls Jo what the banner does: a resident.
  await page.goto("/signin");
  const demo = page.getByRole("region", { name: "Demo accounts" });
  await expect(demo.getByRole("button", { name: /^Resident — Jo Bakker/ })).toBeVisible();
  await expect(demo.getByRole("button", { name: /^Building manager — Morgan Lee/ })).toBeVisible();

  // A building manager starts at the lockers dashboard, with the building's doors and devices at hand.
  await signInAs(page, DEMO.manager);
  await expect(page).toHaveURL(/\/lockers$/);
  await expect(page.getByTestId("bank-dashboard").first()).toBeVisible();
  await expect(nav).toHaveText(["Lockers", "Buildings", "Devices"]);
  await saveScreenshot(page, "manager-lockers");
  await page.goto("/keys");
  await expect(page).toHaveURL(/\/lockers$/);
  await nav.filter({ hasText: "Buildings" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Buildings");
  await expect(page.getByRole("heading", { name: "Canal House" })).toBeVisible();
  await expectAccessible(page);
  await nav.filter({ hasText: "Devices" }).click();
  await expect(page.getByRole("list", { name: /^Devices at Canal House/ })).toContainText("Lobby lockers");
  await expect(page.getByRole("form", { name: /car/i })).toHaveCount(0);
  await expectAccessible(page);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);

  // A resident with no home of her own: her lockers and deliveries, not a homeowner's keys and devices.
  await signInAs(page, DEMO.resident);
  await expect(page).toHaveURL(/\/lockers$/);
  await expect(nav).toHaveText(["Lockers", "Deliveries"]);
  for (const homeowners of ["/keys", "/devices", "/home"]) {
    await page.goto(homeowners);
    await expect(page).toHaveURL(/\/lockers$/);
  }
  await nav.filter({ hasText: "Deliveries" }).click();
  await expect(page).toHaveURL(/\/deliveries$/);
  await expectAccessible(page);
});

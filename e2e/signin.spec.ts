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

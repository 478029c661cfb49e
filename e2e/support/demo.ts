import fs from "node:fs";
import path from "node:path";
import { expect, type Page } from "@playwright/test";
import { expectAccessible } from "./axe.js";

/** The demo's logins (packages/cli/src/demo/accounts.ts). */
export const DEMO_PASSWORD = "threshold-demo";
export const DEMO = {
  recipient: "alex@demo.threshold.test",
  courier: "sam@parcelo.demo.threshold.test",
  carrierAdmin: "dispatch@parcelo.demo.threshold.test",
  operator: "ops@demo.threshold.test",
  manager: "morgan@canalhouse.demo.threshold.test",
  resident: "jo@demo.threshold.test",
} as const;

export const baseUrl = () => `http://127.0.0.1:${process.env.E2E_PORT}`;

/** The carrier API key the demo created for Parcelo Express (shown once by the API, kept by the demo). */
export function demoApiKey(): string {
  const file = path.join(process.env.E2E_DATA_DIR ?? "", "demo.json");
  return (JSON.parse(fs.readFileSync(file, "utf8")) as { apiKey: string }).apiKey;
}

/**
 * Signs in through the sign-in page, as a person would, and waits for the role's first screen;
 * checks the sign-in page and that screen for accessibility (./axe.ts).
 */
export async function signInAs(page: Page, email: string): Promise<void> {
  await page.goto("/signin");
  await expectAccessible(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await expectAccessible(page);
}

/** Saves a screenshot for the README under docs/screenshots/, of a screen that passed the accessibility check. */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  await expectAccessible(page);
  await page.screenshot({ path: path.resolve(import.meta.dirname, "../../docs/screenshots", `${name}.png`) });
}

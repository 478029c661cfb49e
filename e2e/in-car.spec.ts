import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { type Browser, type BrowserContextOptions, chromium } from "@playwright/test";
import { expectAccessible } from "./support/axe.js";
import { createStopForSam } from "./support/courier-stops.js";
import { baseUrl, DEMO, saveScreenshot, signInAs } from "./support/demo.js";
import { expect, test } from "./support/fixtures.js";

const run = promisify(execFile);
const HOUR = 3_600_000;

/** Where the demo parks Alex's car (packages/cli/src/commands/demo.ts), and a courier 10 m from it. */
const BESIDE_THE_CAR = { latitude: 52.3741, longitude: 4.8922 } as const;

/** The physical world of the demo's simulated car, through `threshold car`, as a courier's hands would. */
async function carDoes(action: "open-trunk" | "close-trunk" | "status"): Promise<string> {
  const dataDir = process.env.E2E_DATA_DIR;
  if (!dataDir) throw new Error("E2E_DATA_DIR is not set: run the browser tests through e2e/run.ts");
  const cli = path.resolve(import.meta.dirname, "../packages/cli/bin/threshold.js");
  const { stdout } = await run(process.execPath, [
    cli,
    "car",
    action,
    "--device",
    "family-car",
    "--state-dir",
    path.join(dataDir, "fleet"),
  ]);
  return stdout;
}

const phoneBesideTheCar: BrowserContextOptions = {
  baseURL: baseUrl(),
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  permissions: ["geolocation"],
  geolocation: BESIDE_THE_CAR,
};

test.describe("in-car delivery", () => {
  let browser: Browser;
  let trackingNumber: string;
  let shipmentId: string;

  test.beforeAll(async () => {
    trackingNumber = `E2E-CAR-${Date.now().toString(36).toUpperCase()}`;
    const now = Date.now();
    shipmentId = await createStopForSam(
      trackingNumber,
      { start: new Date(now - HOUR / 2), end: new Date(now + 3 * HOUR) },
      "in_trunk",
    );
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH });
  });
  test.afterAll(async () => browser?.close());

  test("the recipient sees the car; the courier finds it, opens the trunk, fills it and locks the car", async () => {
    // Alex's car card: where the car is, locked, trunk delivery on, and plainly not filmed.
    const recipient = await (await browser.newContext({ ...phoneBesideTheCar, permissions: [] })).newPage();
    await signInAs(recipient, DEMO.recipient);
    await recipient.goto("/home");
    const card = recipient.getByRole("article", { name: "Volvo XC40" });
    await expect(card).toContainText("GH-123-K");
    await expect(card).toContainText("Parked");
    await expect(card).toContainText("Locked");
    await expect(card.getByTestId("car-position")).toContainText(/\d+ m north of home/);
    await expect(card.getByRole("switch", { name: "Trunk delivery" })).toHaveAttribute("aria-checked", "true");
    await expect(card.getByTestId("car-not-filmed")).toContainText("Not filmed");
    await card.scrollIntoViewIfNeeded();
    await saveScreenshot(recipient, "recipient-car");

    // Sam, beside the car: the stop shows the plate, colour, distance and direction.
    const courier = await (await browser.newContext(phoneBesideTheCar)).newPage();
    await signInAs(courier, DEMO.courier);
    const stopLink = courier.getByRole("link", { name: new RegExp(trackingNumber) });
    const stopCard = courier.getByRole("article").filter({ has: stopLink });
    await expect(stopCard).toContainText("Ready to open");
    await expect(stopCard).toContainText("Parked");
    await stopLink.click();
    await expect(courier).toHaveURL(new RegExp(`/stops/${shipmentId}$`));
    const carPanel = courier.getByRole("region", { name: "The customer's car" });
    await expect(carPanel.getByTestId("car-plate")).toHaveText("GH-123-K");
    await expect(carPanel).toContainText("dark blue Volvo XC40");
    await expect(carPanel.getByTestId("car-direction")).toContainText(/\d+ m south|You are at the car/);
    await expect(carPanel).toContainText("not filmed");
    await expect(carPanel).toContainText("14 Canal Street");
    await saveScreenshot(courier, "courier-car");

    // Type the tracking number (no camera on this phone) and open the trunk.
    await courier.getByLabel("Tracking number").fill(trackingNumber);
    await courier.getByRole("button", { name: "Check" }).click();
    await expect(courier.getByText("Open", { exact: true })).toBeVisible({ timeout: 30_000 });
    await expect(courier.getByText("The trunk is released.")).toBeVisible();
    expect(await carDoes("status")).toContain("trunk_unlocked");

    // Alex's card follows: the trunk is released.
    await expect(card).toContainText("Trunk released", { timeout: 15_000 });

    // Lift the lid, put the parcel in, shut it, tap Done.
    expect(await carDoes("open-trunk")).toContain("trunk open");
    expect(await carDoes("close-trunk")).toContain("trunk closed");
    await courier.getByRole("button", { name: "Done — lock the car" }).click();
    await expect(courier.getByText("Locked ✓")).toBeVisible({ timeout: 30_000 });
    expect(await carDoes("status")).toContain("parked, locked, trunk closed");
    await expect(card).toContainText("Locked", { timeout: 15_000 });
  });

  test("the recipient adds a second car, to pair later, and sees it on Home", async () => {
    const recipient = await (await browser.newContext({ ...phoneBesideTheCar, permissions: [] })).newPage();
    await signInAs(recipient, DEMO.recipient);
    await recipient.goto("/devices");
    const form = recipient.getByRole("form", { name: "Add a car at Alex's home" });
    await form.getByRole("button", { name: "Add car" }).click();
    await expect(form.getByRole("alert")).toContainText("Fill in the car's make, model, colour, plate");
    await form.getByLabel("Make").fill("Fiat");
    await form.getByLabel("Model").fill("500e");
    await form.getByLabel("Colour").fill("mint green");
    await form.getByLabel("Number plate").fill("ks-55-r");
    await form.getByLabel("If the trunk cannot be opened").selectOption("locker");
    await form.getByRole("button", { name: "Add car" }).click();
    await expect(form.getByRole("status")).toContainText("Fiat 500e added");
    await expectAccessible(recipient);
    await recipient.goto("/home");
    const card = recipient.getByRole("article", { name: "Fiat 500e" });
    await expect(card).toContainText("KS-55-R");
    await expect(card).toContainText("Not paired with its vehicle device");
    await expect(card.getByRole("switch", { name: "Trunk delivery" })).toBeDisabled();
    await expectAccessible(recipient);
  });
});

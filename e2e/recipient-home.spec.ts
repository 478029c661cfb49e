import type { Page } from "@playwright/test";
import { DEMO, saveScreenshot, signInAs } from "./support/demo.js";
import { expect, test } from "./support/fixtures.js";

/** The demo's one door and what Alex's home readiness list says about it. */
const frontDoor = (page: Page) => page.getByRole("article", { name: "Front door" });
const readinessOf = (page: Page) => frontDoor(page).getByRole("list", { name: "Readiness of Front door" });
const DEMO_NOTES = "Please close the door behind you; the cat stays inside.";

test("the recipient's home is ready, and one switch blocks and unblocks all access", async ({ page }) => {
  await signInAs(page, DEMO.recipient);
  await expect(page).toHaveURL(/\/home$/);
  await expect(page.getByRole("heading", { name: "Alex's home" })).toBeVisible();

  const readiness = readinessOf(page);
  for (const words of ["Lock online", "Locked", "Door closed", "Camera live", "Consent on"]) {
    await expect(readiness.getByText(words, { exact: true }), words).toBeVisible();
  }
  await expect(readiness).toContainText("In-home · Every day, all day (Europe/Amsterdam)");
  await expect(frontDoor(page)).toContainText("Ready for deliveries");
  await saveScreenshot(page, "recipient-home");

  const block = page.getByRole("switch", { name: "Block all access" });
  await expect(block).toHaveAttribute("aria-checked", "false");
  await expect(page.getByText("visits already authorized but not open are cancelled")).toBeVisible();

  await block.click();
  await expect(block).toHaveAttribute("aria-checked", "true");
  await expect(readiness.getByText("Access blocked", { exact: true })).toBeVisible();
  await expect(frontDoor(page)).toContainText("Not ready: access blocked");
  // The server kept it: a fresh page reads the block back from GET /v1/sites.
  await page.reload();
  await expect(block).toHaveAttribute("aria-checked", "true");
  await expect(page.getByText(/Access is blocked since/)).toBeVisible();

  // On again, and left on: the other specs deliver to this home.
  await block.click();
  await expect(block).toHaveAttribute("aria-checked", "false");
  await expect(readiness.getByText("Access blocked", { exact: true })).toHaveCount(0);
  await page.reload();
  await expect(block).toHaveAttribute("aria-checked", "false");
  await expect(frontDoor(page)).toContainText("Ready for deliveries");
});

test("the recipient edits the notes for couriers, and they are still there after a reload", async ({ page }) => {
  await signInAs(page, DEMO.recipient);
  await frontDoor(page).getByRole("link", { name: "Settings for Front door" }).click();
  await expect(page).toHaveURL(/\/access-points\/acp_[0-9a-z]+\/settings$/);
  await expect(page.getByRole("heading", { name: "Front door settings" })).toBeVisible();

  // A front door serves in-home and doorstep delivery; the demo allows in-home, every day, all day.
  await expect(page.getByRole("checkbox", { name: /In-home/ })).toBeChecked();
  await expect(page.getByRole("checkbox", { name: /Doorstep/ })).not.toBeChecked();
  await expect(page.getByRole("checkbox", { name: /In the garage/ })).toHaveCount(0);
  for (const day of ["Monday", "Wednesday", "Sunday"]) {
    await expect(page.getByRole("checkbox", { name: day, exact: true })).toBeChecked();
  }
  await expect(page.getByLabel("From", { exact: true })).toHaveValue("00:00");
  await expect(page.getByLabel("To", { exact: true })).toHaveValue("24:00");
  await expect(page.getByLabel("Time zone", { exact: true })).toHaveValue("Europe/Amsterdam");

  const notes = page.getByLabel("Notes for couriers", { exact: true });
  await expect(notes).toHaveValue(DEMO_NOTES);
  const edited = `Parcel behind the plant, please. (${Date.now()})`;
  await saveScreenshot(page, "recipient-settings");
  await notes.fill(edited);
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved at" })).toBeVisible();

  await page.reload();
  await expect(notes).toHaveValue(edited);

  // Offline codes as a standing fallback: off by default, says plainly it cannot be revoked, and keeps.
  const offlineCodes = page.getByRole("checkbox", { name: /Allow offline codes/ });
  await expect(offlineCodes).not.toBeChecked();
  await expect(page.getByRole("group", { name: "When the lock is offline" })).toContainText(
    "It cannot be revoked until the lock is back online",
  );
  await offlineCodes.check();
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved at" })).toBeVisible();
  await page.reload();
  await expect(offlineCodes).toBeChecked();
  await offlineCodes.uncheck(); // saved with the demo's notes below

  // Put the demo's notes back: the courier's spec reads them at the door.
  await notes.fill(DEMO_NOTES);
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved at" })).toBeVisible();
  await page.reload();
  await expect(notes).toHaveValue(DEMO_NOTES);
  await expect(offlineCodes).not.toBeChecked();
});

test("the recipient sees the demo's devices online, renames one and back, and a wrong pairing code is refused", async ({
  page,
}) => {
  await signInAs(page, DEMO.recipient);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Devices" }).click();
  await expect(page).toHaveURL(/\/devices$/);

  const devices = page.getByRole("list", { name: "Devices at Alex's home" });
  const lock = devices.getByRole("listitem", { name: "Front door lock" });
  const camera = devices.getByRole("listitem", { name: "Porch camera" });
  await expect(lock).toContainText("Online");
  await expect(lock).toContainText("Smart lock");
  await expect(lock).toContainText(/Battery \d+ %/);
  await expect(camera).toContainText("Online");
  await expect(camera).toContainText("Camera");
  await saveScreenshot(page, "recipient-devices");

  // Rename the camera, see the new name, and rename it back.
  await camera.getByRole("button", { name: "Rename Porch camera" }).click();
  await page.getByLabel("New name for Porch camera").fill("Porch camera (test)");
  await page.getByRole("button", { name: "Save name" }).click();
  const renamed = devices.getByRole("listitem", { name: "Porch camera (test)" });
  await expect(renamed).toContainText("Online");
  await renamed.getByRole("button", { name: "Rename Porch camera (test)" }).click();
  await page.getByLabel("New name for Porch camera (test)").fill("Porch camera");
  await page.getByRole("button", { name: "Save name" }).click();
  await expect(devices.getByRole("listitem", { name: "Porch camera", exact: true })).toBeVisible();
  await page.reload();
  await expect(devices.getByRole("listitem", { name: "Porch camera", exact: true })).toBeVisible();

  // Removing asks first and says what happens; keeping it changes nothing.
  await lock.getByRole("button", { name: "Remove Front door lock" }).click();
  await expect(lock).toContainText("Its credentials stop working at once");
  await lock.getByRole("button", { name: "Keep it" }).click();
  await expect(lock.getByRole("button", { name: "Rename Front door lock" })).toBeVisible();

  // The demo lock's keypad, in the browser: a code nobody was given is refused, counted, and opens nothing.
  const keypad = lock.getByRole("form", { name: "Keypad of Front door lock (demo)" });
  await keypad.getByLabel("Keypad (demo): type a code").fill("0000");
  await keypad.getByRole("button", { name: "Enter" }).click();
  await expect(keypad.getByRole("status")).toContainText(/Refused: wrong.* \d+ wrong in a row/);
  await expect(camera.getByRole("form")).toHaveCount(0); // a camera has no keypad

  // A code no device shows is refused with the server's sentence, and nothing is paired.
  await page.getByLabel("Pairing code").fill("zzzz-9999");
  await page.getByLabel("Name", { exact: true }).fill("Back door lock");
  await page.getByRole("button", { name: "Pair device" }).click();
  await expect(page.getByRole("alert")).toContainText("That pairing code is wrong, expired or already used");
  await expect(devices.getByRole("listitem")).toHaveCount(3); // lock, camera, car
});

test("the trunk checkbox sits beside its label, and trunk delivery on is calm where blocking is alarm red", async ({
  page,
}) => {
  await signInAs(page, DEMO.recipient);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Devices" }).click();
  const checkbox = page.getByRole("checkbox", { name: "Allow deliveries into the trunk" });
  await checkbox.scrollIntoViewIfNeeded();
  const box = await checkbox.boundingBox();
  const label = await page.locator("label").filter({ has: checkbox }).boundingBox();
  // A checkbox-sized box, on one row with its words: not a field-sized box above them.
  expect(box?.width).toBeLessThanOrEqual(32);
  expect(box?.height).toBeLessThanOrEqual(32);
  expect(label?.height).toBeLessThan(64);
  expect((box?.x ?? 0) - (label?.x ?? 0)).toBeLessThan(8);
  await saveScreenshot(page, "recipient-add-car");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Home" }).click();
  const card = page.getByRole("article", { name: "Volvo XC40" });
  const trunk = card.getByRole("switch", { name: "Trunk delivery" });
  await expect(trunk).toHaveAttribute("aria-checked", "true");
  const colours = (element: HTMLElement) => ({
    border: getComputedStyle(element).borderColor,
    track: getComputedStyle(element.querySelector(".switch-track") as Element).backgroundColor,
  });
  const ALARM_RED = "rgb(179, 38, 30)"; // --bad
  const CALM_GREEN = "rgb(30, 122, 70)"; // --ok
  // Polled: the switch's colours ease in over 0.15 s.
  await expect.poll(() => trunk.evaluate(colours)).toEqual({ border: CALM_GREEN, track: CALM_GREEN });
  // The block switch stays the alarm: the car's, switched on and off again (the other specs deliver to it).
  const block = card.getByRole("switch", { name: "Block this car" });
  await block.click();
  await expect(block).toHaveAttribute("aria-checked", "true");
  await expect.poll(() => block.evaluate(colours)).toEqual({ border: ALARM_RED, track: ALARM_RED });
  await block.click();
  await expect(block).toHaveAttribute("aria-checked", "false");
});

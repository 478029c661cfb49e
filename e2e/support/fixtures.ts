import { test as base, type Page } from "@playwright/test";
import { expectAccessible, screenOf, screensCheckedOn } from "./axe.js";

export { expect } from "@playwright/test";

/** Every screen a page showed, in the order it showed them (ids taken out). */
function watchScreens(page: Page): string[] {
  const seen: string[] = [];
  page.on("framenavigated", (frame) => {
    if (frame !== page.mainFrame()) return;
    const screen = screenOf(frame.url());
    if (seen.at(-1) !== screen) seen.push(screen);
  });
  return seen;
}

/**
 * Playwright's `test`, with a `page` that is checked for accessibility (./axe.ts) on the screen it
 * ends on, and a note in the report of any screen it passed through that no check saw: a screen a
 * spec only passed on the way (a redirect) is fine there; one it tested belongs in a check.
 */
export const test = base.extend({
  page: async ({ page }, use, testInfo) => {
    const seen = watchScreens(page);
    await use(page);
    if (page.isClosed() || testInfo.status !== testInfo.expectedStatus) return;
    if (page.url().startsWith("http")) await expectAccessible(page);
    const checked = screensCheckedOn(page);
    const unchecked = [...new Set(seen)].filter((screen) => !checked.has(screen) && screen !== "/");
    if (unchecked.length > 0) {
      testInfo.annotations.push({ type: "screens not checked by axe", description: unchecked.join(", ") });
      console.warn(`axe: ${testInfo.title}: passed through screens no check saw: ${unchecked.join(", ")}`);
    }
  },
});

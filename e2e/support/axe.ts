import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

/**
 * Accessibility of every screen the browser tests visit (issue 16, items 12 and 13): axe-core's
 * rules, all of them and target-size too, and no violation of impact "serious" or "critical" allowed. `signInAs` checks the screen a
 * person lands on, `saveScreenshot` each screen it saves, the `page` fixture of ./fixtures the last
 * screen of a test; specs call `expectAccessible` after any other screen they move to.
 */

const BLOCKING = new Set(["serious", "critical"]);

/** A screen's path with its ids taken out, so /stops/shp_1 and /stops/shp_2 count as one screen. */
export function screenOf(url: string): string {
  const { pathname } = new URL(url);
  return pathname.replace(/\/[a-z]{3}_[0-9a-z]+/g, "/:id").replace(/\/k\/[^/]+/, "/k/:token");
}

const checkedScreens = new WeakMap<Page, Set<string>>();

/** The screens checked on this page so far (for the fixture's report of screens left unchecked). */
export function screensCheckedOn(page: Page): ReadonlySet<string> {
  return checkedScreens.get(page) ?? new Set();
}

/** One line per failing node: which rule, how bad, where, and axe's own sentence on how to fix it. */
function linesOf(violations: Awaited<ReturnType<AxeBuilder["analyze"]>>["violations"]): string[] {
  return violations.flatMap((violation) =>
    violation.nodes.map(
      (node) =>
        `${violation.id} (${violation.impact}) at ${node.target.join(" ")}: ${node.failureSummary?.replace(/\s+/g, " ") ?? violation.help}`,
    ),
  );
}

/**
 * Controls smaller than 24 × 24 px. axe's target-size forgives a small target with room around it
 * (WCAG 2.5.8's spacing exception); a thumb does not, so a control standing on its own must be that
 * big itself. Links inside a sentence are WCAG's inline exception, and a checkbox or radio inside its
 * label is tapped through the label.
 */
async function smallTapTargets(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const selector = "a[href], button, summary, select, input:not([type=hidden]), [role=button], [role=switch]";
    const found: string[] = [];
    for (const element of Array.from(document.querySelectorAll<HTMLElement>(selector))) {
      const box = element.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || getComputedStyle(element).visibility === "hidden") continue;
      if (element.closest("p")) continue;
      if (element.matches("input[type=checkbox], input[type=radio]") && element.closest("label")) continue;
      if (box.width < 24 || box.height < 24) {
        const name = (element.getAttribute("aria-label") ?? element.textContent ?? "").trim().slice(0, 40);
        found.push(
          `target under 24 px: <${element.tagName.toLowerCase()}> "${name}" ${Math.round(box.width)}×${Math.round(box.height)}`,
        );
      }
    }
    return found;
  });
}

/**
 * Checks the screen as it is now, once it has finished loading (no spinner showing): fails with one
 * line per serious or critical violation, and per control under 24 × 24 px.
 */
export async function expectAccessible(page: Page): Promise<void> {
  // A screen still loading is not the screen yet; a spinner that stays is checked as it is.
  await page.waitForLoadState("load");
  await page
    .locator(".spinner")
    .first()
    .waitFor({ state: "hidden", timeout: 5_000 })
    .catch(() => undefined);
  const screen = screenOf(page.url());
  // Every rule axe runs by default, and the one it leaves off: WCAG 2.2's 24 px touch targets. Legacy
  // mode runs axe in the page itself: the app has no frames, and the default opens a blank page per
  // check to merge frame results, which cost seconds a check on a loaded machine.
  const results = await new AxeBuilder({ page })
    .options({ rules: { "target-size": { enabled: true } } })
    .setLegacyMode()
    .analyze();
  const blocking = results.violations.filter((violation) => BLOCKING.has(violation.impact ?? ""));
  const problems = [...linesOf(blocking), ...(await smallTapTargets(page))];
  expect(problems, `serious or critical accessibility violations on ${screen}`).toEqual([]);
  const checked = checkedScreens.get(page) ?? new Set<string>();
  checked.add(screen);
  checkedScreens.set(page, checked);
}

import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

/**
 * Accessibility of every screen the browser tests visit (issue 16, item 13): axe-core's rules, all
 * of them, and no violation of impact "serious" or "critical" allowed. `signInAs` checks the screen a
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
 * Checks the screen as it is now, once it has finished loading (no spinner showing): fails with one
 * line per serious or critical violation.
 */
export async function expectAccessible(page: Page): Promise<void> {
  // A screen still loading is not the screen yet; a spinner that stays is checked as it is.
  await page
    .locator(".spinner")
    .first()
    .waitFor({ state: "hidden", timeout: 5_000 })
    .catch(() => undefined);
  const screen = screenOf(page.url());
  const results = await new AxeBuilder({ page }).analyze();
  const blocking = results.violations.filter((violation) => BLOCKING.has(violation.impact ?? ""));
  expect(linesOf(blocking), `serious or critical accessibility violations on ${screen}`).toEqual([]);
  const checked = checkedScreens.get(page) ?? new Set<string>();
  checked.add(screen);
  checkedScreens.set(page, checked);
}

import { execFileSync } from "node:child_process";
import fs from "node:fs";

/**
 * The system's Chromium (Debian's `chromium`), or CHROMIUM_PATH. Browser tests never download a
 * browser: Playwright drives this executable.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.CHROMIUM_PATH) return fs.existsSync(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : null;
  for (const candidate of ["/usr/bin/chromium", "/usr/bin/chromium-browser"]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  try {
    const found = execFileSync("sh", ["-c", "command -v chromium || command -v chromium-browser"], {
      encoding: "utf8",
    }).trim();
    return found || null;
  } catch {
    return null;
  }
}

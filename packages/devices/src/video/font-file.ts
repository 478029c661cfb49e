import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** Where distributions put DejaVu Sans, the font most Linux machines have. */
const KNOWN = [
  "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", // Debian, Ubuntu
  "/usr/share/fonts/dejavu/DejaVuSans.ttf", // Fedora
  "/usr/share/fonts/TTF/DejaVuSans.ttf", // Arch
  "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf", // newer Fedora
];

/**
 * A font file for the burnt-in text, or null to let drawtext ask fontconfig for its default.
 * Naming a file keeps the static ffmpeg build away from the host's fontconfig, whose
 * configuration it often cannot parse.
 */
export function findFontFile(root = "/usr/share/fonts"): string | null {
  for (const candidate of KNOWN) if (isFile(candidate)) return candidate;
  return search(root, 3);
}

function search(dir: string, depth: number): string | null {
  if (depth < 0) return null;
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return null;
  }
  if (entries.includes("DejaVuSans.ttf") && isFile(join(dir, "DejaVuSans.ttf"))) return join(dir, "DejaVuSans.ttf");
  for (const entry of entries) {
    const found = search(join(dir, entry), depth - 1);
    if (found) return found;
  }
  return null;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

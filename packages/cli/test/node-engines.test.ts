import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import semver from "semver";
import { describe, expect, it } from "vitest";

/**
 * The root `engines.node` is a promise to whoever runs `npm ci`: every Node version it names can
 * install and run everything the lockfile holds. npm only warns (EBADENGINE) when a dependency
 * asks for more, so without this test a dependency bump can quietly break that promise again
 * (content-disposition 3 and cookie 2 once required Node 22 while we said Node 20).
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

interface PackageJson {
  engines?: { node?: string };
}
interface LockEntry {
  version?: string;
  engines?: { node?: string } | string[];
  link?: boolean;
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(path.join(ROOT, file), "utf8")) as T;

const rootRange = (): string => {
  const range = readJson<PackageJson>("package.json").engines?.node;
  if (!range) throw new Error("package.json declares no engines.node");
  return range;
};

/** Every package npm ci installs, on any platform (optional ones included), with its Node range. */
function lockedRanges(): { where: string; range: string }[] {
  const lock = readJson<{ packages: Record<string, LockEntry> }>("package-lock.json");
  const ranges: { where: string; range: string }[] = [];
  for (const [where, entry] of Object.entries(lock.packages)) {
    if (where === "" || entry.link) continue;
    const fromLock = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
    if (fromLock) ranges.push({ where: `${where}@${entry.version} (lockfile)`, range: fromLock });
    // What is on disk is what runs; it can differ from the lockfile if node_modules is stale.
    const installed = path.join(ROOT, where, "package.json");
    if (!existsSync(installed)) continue;
    const onDisk = (JSON.parse(readFileSync(installed, "utf8")) as PackageJson).engines?.node;
    if (onDisk && onDisk !== fromLock) ranges.push({ where: `${where} (installed)`, range: onDisk });
  }
  return ranges;
}

/** The packages whose declared Node range leaves out some version the root claims to support. */
export function packagesNarrowerThan(claimed: string, ranges: { where: string; range: string }[]): string[] {
  return ranges
    .filter(({ range }) => semver.validRange(range) === null || !semver.subset(claimed, range))
    .map(({ where, range }) => `${where} needs node ${range}`);
}

describe("the Node versions package.json promises", () => {
  it("are a valid range", () => {
    expect(semver.validRange(rootRange())).not.toBeNull();
  });

  it("are accepted by every package in the lockfile", () => {
    expect(packagesNarrowerThan(rootRange(), lockedRanges())).toEqual([]);
  });

  it("include the Node running the tests", () => {
    expect(semver.satisfies(process.version, rootRange()), `${process.version} is outside ${rootRange()}`).toBe(true);
  });

  it("would be caught promising Node 20 with a dependency that needs Node 22", () => {
    const narrower = packagesNarrowerThan("^20.0.0 || >=22", [
      { where: "node_modules/cookie@2.0.2", range: ">=22" },
      { where: "node_modules/glob@14.0.6", range: "18 || 20 || >=22" },
    ]);
    expect(narrower).toEqual(["node_modules/cookie@2.0.2 needs node >=22"]);
  });
});

/**
 * Where things sit in packages/server/src. Paths are relative to that folder, with `/`.
 * docs/architecture.md ("The server's layers") explains the layers; this file only recognises them.
 */

/** Folders (and one file) below the modules: they must never import a module. */
export const INFRASTRUCTURE = ["gateway/", "commands/", "http/", "db/", "audit/", "media/", "context.ts"] as const;

/** Longest a source file may be; tests are exempt (a long table of cases is fine). */
export const MAX_SOURCE_LINES = 450;

/** The package the server must not load at run time: server and device agents meet only on the wire. */
export const DEVICES_PACKAGE = "@threshold/devices";

/** The module a file belongs to (`modules/<m>/…`), or undefined outside modules (and for modules/index.ts). */
export function moduleOf(path: string): string | undefined {
  const match = /^modules\/([^/]+)\//.exec(path);
  return match?.[1];
}

/** A module's one door. */
export function isModuleDoor(path: string): boolean {
  const module = moduleOf(path);
  return module !== undefined && path === `modules/${module}/index.ts`;
}

export function isInfrastructure(path: string): boolean {
  return INFRASTRUCTURE.some((prefix) => (prefix.endsWith("/") ? path.startsWith(prefix) : path === prefix));
}

/**
 * Test code: `*.test.ts`, anything in a `test/` or `test-support/` folder, and `test-support.ts`
 * files. Three shapes today (issue 17 wants one); all three are recognised.
 */
export function isTestCode(path: string): boolean {
  const segments = path.split("/");
  const name = segments[segments.length - 1] ?? "";
  if (name.endsWith(".test.ts") || name === "test-support.ts") return true;
  return segments.slice(0, -1).some((folder) => folder === "test" || folder === "test-support");
}

export function isDevicesPackage(specifier: string): boolean {
  return specifier === DEVICES_PACKAGE || specifier.startsWith(`${DEVICES_PACKAGE}/`);
}

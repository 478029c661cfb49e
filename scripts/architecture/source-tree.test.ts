import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { lineCount, readSourceTree } from "./source-tree.js";

describe("readSourceTree", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("lists the .ts files under a folder, sorted, with /-separated relative paths", () => {
    dir = mkdtempSync(join(tmpdir(), "tree-"));
    mkdirSync(join(dir, "modules", "b"), { recursive: true });
    mkdirSync(join(dir, "modules", "a"), { recursive: true });
    writeFileSync(join(dir, "modules", "b", "index.ts"), "b");
    writeFileSync(join(dir, "modules", "a", "service.ts"), "a");
    writeFileSync(join(dir, "context.ts"), "c");
    writeFileSync(join(dir, "worker.mjs"), "not TypeScript");
    writeFileSync(join(dir, "types.d.ts"), "declarations only");
    expect(readSourceTree(dir).map((file) => file.path)).toEqual([
      "context.ts",
      "modules/a/service.ts",
      "modules/b/index.ts",
    ]);
  });
});

describe("lineCount", () => {
  it("counts lines as wc -l does, plus a last line without a newline", () => {
    expect(lineCount("")).toBe(0);
    expect(lineCount("a\n")).toBe(1);
    expect(lineCount("a\nb\n")).toBe(2);
    expect(lineCount("a\nb")).toBe(2);
  });
});

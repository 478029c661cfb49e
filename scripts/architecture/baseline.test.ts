import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { compareWithBaseline, readBaseline, writeBaseline } from "./baseline.js";
import type { Violation } from "./rules.js";

const violation = (entry: string): Violation => ({ rule: "internal-import", entry, detail: entry });

describe("compareWithBaseline", () => {
  it("names breaches the baseline lacks and entries that no longer occur", () => {
    const comparison = compareWithBaseline(
      [violation("internal-import: a -> b"), violation("internal-import: c -> d")],
      ["internal-import: a -> b", "internal-import: e -> f"],
    );
    expect(comparison.added.map((v) => v.entry)).toEqual(["internal-import: c -> d"]);
    expect(comparison.gone).toEqual(["internal-import: e -> f"]);
  });

  it("finds nothing to say when code and baseline agree", () => {
    expect(compareWithBaseline([violation("x")], ["x"])).toEqual({ added: [], gone: [] });
  });
});

describe("baseline file", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const file = (text: string): string => {
    dir = mkdtempSync(join(tmpdir(), "baseline-"));
    const path = join(dir, "baseline.json");
    writeFileSync(path, text);
    return path;
  };

  it("is written sorted, without duplicates, one entry a line, and read back", () => {
    const path = file("");
    writeBaseline(path, ["b", "a", "b"]);
    expect(readFileSync(path, "utf8")).toMatch(/"violations": \[\n {4}"a",\n {4}"b"\n {2}\]/);
    expect(readBaseline(path).violations).toEqual(["a", "b"]);
  });

  it("refuses an unsorted list, duplicates and a wrong shape", () => {
    expect(() => readBaseline(file('{"violations":["b","a"]}'))).toThrow(/sorted/);
    expect(() => readBaseline(file('{"violations":["a","a"]}'))).toThrow(/sorted and without duplicates/);
    expect(() => readBaseline(file('{"violations":[1]}'))).toThrow(/list of strings/);
    expect(() => readBaseline(file("[]"))).toThrow(/"violations" list/);
  });
});

import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SRC = path.resolve(import.meta.dirname, "../src");

/**
 * Packages a command loads only when it runs (`await import(…)` in its action): loaded at start,
 * they cost every `threshold … --help`, `courier` and `keypad` call seconds of CPU (issue 26: the
 * CLI tests timed out on a busy machine because each start took that long).
 */
const HEAVY = ["@threshold/server", "@threshold/devices", "@threshold/protocol"];

/** The static value imports of a file: `import … from "x"` and `export … from "x"`, not `import type`. */
function valueImports(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  const found: string[] = [];
  for (const match of text.matchAll(/^(?:import|export)\s+(type\s+)?[^;]*?\sfrom\s+"([^"]+)";/gms)) {
    if (!match[1] && match[2]) found.push(match[2]);
  }
  return found;
}

/** Every module `threshold` loads before it parses its arguments, and what each imports. */
function startGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const visit = (file: string) => {
    if (graph.has(file)) return;
    const imports = valueImports(file);
    graph.set(file, imports);
    for (const specifier of imports) {
      if (specifier.startsWith(".")) visit(path.resolve(path.dirname(file), specifier).replace(/\.js$/, ".ts"));
    }
  };
  visit(entry);
  return graph;
}

describe("the threshold command's start", () => {
  it("loads no server, agents or protocol before a command runs", () => {
    const graph = startGraph(path.join(SRC, "main.ts"));
    expect(graph.size).toBeGreaterThan(10);
    const heavy = [...graph].flatMap(([file, imports]) =>
      imports
        .filter((specifier) => HEAVY.includes(specifier))
        .map((specifier) => `${path.relative(SRC, file)} → ${specifier}`),
    );
    expect(heavy).toEqual([]);
  });
});

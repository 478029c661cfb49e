import { describe, expect, it } from "vitest";
import { parseImports } from "./imports.js";

describe("parseImports", () => {
  it("reads value, type, re-export and dynamic imports, and tells type-only ones apart", () => {
    const text = [
      'import { a } from "./a.js";',
      'import type { B } from "./b.js";',
      'import { type C } from "./c.js";',
      'export { d } from "./d.js";',
      'export type { E } from "./e.js";',
      'export * from "./f.js";',
      'type G = import("./g.js").G;',
      'const h = await import("./h.js");',
      'import "./side-effect.js";',
    ].join("\n");
    expect(parseImports("x.ts", text)).toEqual([
      { specifier: "./a.js", typeOnly: false, line: 1 },
      { specifier: "./b.js", typeOnly: true, line: 2 },
      // verbatimModuleSyntax keeps `import {} from "./c.js"`: the module is still loaded.
      { specifier: "./c.js", typeOnly: false, line: 3 },
      { specifier: "./d.js", typeOnly: false, line: 4 },
      { specifier: "./e.js", typeOnly: true, line: 5 },
      { specifier: "./f.js", typeOnly: false, line: 6 },
      { specifier: "./g.js", typeOnly: true, line: 7 },
      { specifier: "./h.js", typeOnly: false, line: 8 },
      { specifier: "./side-effect.js", typeOnly: false, line: 9 },
    ]);
  });

  it("ignores what only looks like an import: comments, strings, templates", () => {
    const text = [
      '// import { a } from "./a.js";',
      '/* import "./b.js"; */',
      "const s = 'import { c } from \"./c.js\"';",
      'const t = `export * from "./d.js"`;',
      "const u = load(name);",
    ].join("\n");
    expect(parseImports("x.ts", text)).toEqual([]);
  });
});

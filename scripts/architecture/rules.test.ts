import { describe, expect, it } from "vitest";
import { buildImportGraph } from "./graph.js";
import { findViolations, moduleGraph } from "./rules.js";
import type { SourceFile } from "./source-tree.js";

/** A tiny server tree: paths as under packages/server/src. */
const tree = (files: Record<string, string>): SourceFile[] =>
  Object.entries(files)
    .map(([path, text]) => ({ path, text }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));

const entries = (files: Record<string, string>): string[] =>
  findViolations(buildImportGraph(tree(files))).map((violation) => violation.entry);

describe("buildImportGraph", () => {
  it("resolves .js specifiers, bare paths and folders to the tree's .ts files", () => {
    const graph = buildImportGraph(
      tree({
        "modules/a/service.ts": [
          'import { x } from "./repository.js";',
          'import { y } from "../b";',
          'import { z } from "../../context";',
          'import { w } from "@threshold/core";',
          'import worker from "./writer.worker.mjs";',
        ].join("\n"),
        "modules/a/repository.ts": "",
        "modules/b/index.ts": "",
        "context.ts": "",
      }),
    );
    expect(graph.edges.map((edge) => [edge.to, edge.internal])).toEqual([
      ["modules/a/repository.ts", true],
      ["modules/b/index.ts", true],
      ["context.ts", true],
      ["@threshold/core", false],
      ["./writer.worker.mjs", false],
    ]);
  });
});

describe("findViolations", () => {
  it("accepts a tree that keeps every rule", () => {
    expect(
      entries({
        "modules/a/index.ts": 'export { run } from "./service.js";',
        "modules/a/service.ts": 'import { rows } from "./repository.js";\nimport { b } from "../b/index.js";',
        "modules/a/repository.ts": "",
        "modules/b/index.ts": 'import type { Device } from "@threshold/devices";',
        "modules/b/b.test.ts": 'import { Agent } from "@threshold/devices";\nimport { rows } from "../a/index.js";',
        "gateway/gateway.ts": 'import { x } from "../db/database.js";',
        "db/database.ts": "",
      }),
    ).toEqual([]);
  });

  it("reports an import of another module's internals, from a module, from outside modules, and from a test", () => {
    expect(
      entries({
        "modules/a/service.ts":
          'import { rows } from "../b/repository.js";\nimport { more } from "../b/repository.js";',
        "modules/b/repository.ts": "",
        "server.ts": 'import { Worker } from "./modules/b/worker.js";',
        "modules/b/worker.ts": "",
        "modules/c/c.test.ts": 'import type { Row } from "../b/repository.js";',
      }),
    ).toEqual([
      // One entry per pair of files, however many statements import it.
      "internal-import: modules/a/service.ts -> modules/b/repository.ts",
      "internal-import: modules/c/c.test.ts -> modules/b/repository.ts",
      "internal-import: server.ts -> modules/b/worker.ts",
    ]);
  });

  it("reports every module edge inside a cycle, through doors too, and no edge outside it", () => {
    const files = {
      "modules/a/index.ts": 'import { b } from "../b/index.js";',
      "modules/b/index.ts": 'import { c } from "../c/index.js";\nimport { d } from "../d/index.js";',
      "modules/c/index.ts": 'import type { A } from "../a/index.js";',
      "modules/d/index.ts": "",
      // A test importing back does not make a cycle.
      "modules/d/d.test.ts": 'import { a } from "../a/index.js";',
    };
    expect(entries(files)).toEqual(["module-cycle: a -> b", "module-cycle: b -> c", "module-cycle: c -> a"]);
    expect(moduleGraph(buildImportGraph(tree(files))).get("d")).toEqual(new Set());
  });

  it("reports infrastructure that imports a module, the module registry included, but not its tests", () => {
    expect(
      entries({
        "modules/keys/index.ts": "",
        "modules/index.ts": "",
        "gateway/gateway.ts": 'import type { Keyring } from "../modules/keys/index.js";',
        "http/app.ts": 'import { registerModules } from "../modules/index.js";',
        "context.ts": 'import { k } from "./modules/keys/index.js";',
        "commands/command-service.test.ts": 'import { k } from "../modules/keys/index.js";',
        "workers/pump.ts": 'import { k } from "../modules/keys/index.js";',
      }),
    ).toEqual([
      "infrastructure-imports-module: context.ts -> modules/keys/index.ts",
      "infrastructure-imports-module: gateway/gateway.ts -> modules/keys/index.ts",
      "infrastructure-imports-module: http/app.ts -> modules/index.ts",
    ]);
  });

  it("reports a run-time import of @threshold/devices, not a type import or a test's", () => {
    expect(
      entries({
        "modules/video/routes.ts": 'import { findFfmpeg } from "@threshold/devices";',
        "modules/video/types.ts": 'import type { Agent } from "@threshold/devices/agent";',
        "modules/video/lazy.ts": 'const m = await import("@threshold/devices/ffmpeg");',
        "test/devices.ts": 'import { LockAgent } from "@threshold/devices";',
        "modules/pairing/test-support.ts": 'import { LockAgent } from "@threshold/devices";',
        "modules/shipments/test-support/index.ts": 'import { LockAgent } from "@threshold/devices";',
      }),
    ).toEqual([
      "server-imports-devices: modules/video/lazy.ts -> @threshold/devices/ffmpeg",
      "server-imports-devices: modules/video/routes.ts -> @threshold/devices",
    ]);
  });

  it("reports a source file over 450 lines, not one of exactly 450, not a test", () => {
    const lines = (n: number): string => "const x = 1;\n".repeat(n);
    expect(
      entries({
        "modules/a/service.ts": lines(451),
        "modules/a/exact.ts": lines(450),
        "modules/a/a.test.ts": lines(2000),
      }),
    ).toEqual(["file-too-long: modules/a/service.ts"]);
  });

  it("gives each violation a detail with the line, for the failure message", () => {
    const [violation] = findViolations(
      buildImportGraph(tree({ "modules/a/x.ts": '\n\nimport { y } from "../b/y.js";', "modules/b/y.ts": "" })),
    );
    expect(violation?.detail).toBe("modules/a/x.ts:3 imports modules/b/y.ts");
  });
});

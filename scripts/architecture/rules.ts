import type { ImportGraph } from "./graph.js";
import { isDevicesPackage, isInfrastructure, isModuleDoor, isTestCode, MAX_SOURCE_LINES, moduleOf } from "./layout.js";
import { cyclicComponents } from "./scc.js";
import { lineCount } from "./source-tree.js";

export type RuleId =
  | "internal-import"
  | "module-cycle"
  | "infrastructure-imports-module"
  | "server-imports-devices"
  | "file-too-long";

/** What each rule says and where docs/architecture.md explains it; every failure message quotes both. */
export const RULES: Record<RuleId, { says: string; readMore: string }> = {
  "internal-import": {
    says: "a module is entered only through its door, modules/<m>/index.ts",
    readMore: "docs/architecture.md#one-room-one-door",
  },
  "module-cycle": {
    says: "no two modules depend on each other, directly or around a loop",
    readMore: "docs/architecture.md#one-room-one-door",
  },
  "infrastructure-imports-module": {
    says: "gateway/, commands/, http/, db/, audit/, media/ and context.ts sit below the modules and import none",
    readMore: "docs/architecture.md#the-servers-layers",
  },
  "server-imports-devices": {
    says: "the server never loads @threshold/devices at run time; server and devices meet only on the wire",
    readMore: "docs/architecture.md#packages-and-who-may-import-whom",
  },
  "file-too-long": {
    says: `a source file holds one job and stays within ${MAX_SOURCE_LINES} lines`,
    readMore: "docs/architecture.md#habits",
  },
};

/**
 * One breach of one rule. `entry` is what the baseline stores: stable under edits that do not
 * change the breach itself (no line numbers, no line counts), so the baseline only changes when a
 * breach appears or goes.
 */
export interface Violation {
  rule: RuleId;
  entry: string;
  /** Where and how, for a person: includes line numbers and counts that the entry leaves out. */
  detail: string;
}

/** Every breach of every rule in the graph, sorted by entry, one per entry. */
export function findViolations(graph: ImportGraph): Violation[] {
  const found = new Map<string, Violation>();
  const add = (rule: RuleId, subject: string, detail: string): void => {
    const entry = `${rule}: ${subject}`;
    if (!found.has(entry)) found.set(entry, { rule, entry, detail });
  };

  for (const edge of graph.edges) {
    const target = edge.internal ? moduleOf(edge.to) : undefined;
    // Tests count too: a test that reaches into another module's repository breaks when that repository changes.
    if (target !== undefined && moduleOf(edge.from) !== target && !isModuleDoor(edge.to)) {
      add("internal-import", `${edge.from} -> ${edge.to}`, `${edge.from}:${edge.line} imports ${edge.to}`);
    }
    // Tests of infrastructure may build their fixtures with modules; the code they test may not.
    if (edge.internal && edge.to.startsWith("modules/") && isInfrastructure(edge.from) && !isTestCode(edge.from)) {
      add(
        "infrastructure-imports-module",
        `${edge.from} -> ${edge.to}`,
        `${edge.from}:${edge.line} imports ${edge.to}`,
      );
    }
    if (!edge.internal && isDevicesPackage(edge.to) && !edge.typeOnly && !isTestCode(edge.from)) {
      add("server-imports-devices", `${edge.from} -> ${edge.to}`, `${edge.from}:${edge.line} loads ${edge.to}`);
    }
  }

  const modules = moduleGraph(graph);
  for (const component of cyclicComponents([...modules.keys()], modules)) {
    const members = new Set(component);
    for (const from of component) {
      for (const to of [...(modules.get(from) ?? [])].sort()) {
        if (members.has(to))
          add("module-cycle", `${from} -> ${to}`, `${from} -> ${to}, in the cycle {${component.join(", ")}}`);
      }
    }
  }

  for (const file of graph.files) {
    const lines = lineCount(file.text);
    if (lines > MAX_SOURCE_LINES && !isTestCode(file.path)) {
      add("file-too-long", file.path, `${file.path} has ${lines} lines`);
    }
  }

  return [...found.values()].sort((a, b) => (a.entry < b.entry ? -1 : a.entry > b.entry ? 1 : 0));
}

/**
 * Module → modules it imports, from source files only (tests excluded: a test may set up its
 * fixture through another module's door without the modules depending on each other).
 * Type-only imports count: a type shared both ways still ties two modules together.
 */
export function moduleGraph(graph: ImportGraph): Map<string, Set<string>> {
  const modules = new Map<string, Set<string>>();
  for (const file of graph.files) {
    const module = moduleOf(file.path);
    if (module !== undefined && !modules.has(module)) modules.set(module, new Set());
  }
  for (const edge of graph.edges) {
    if (!edge.internal || isTestCode(edge.from)) continue;
    const from = moduleOf(edge.from);
    const to = moduleOf(edge.to);
    if (from !== undefined && to !== undefined && from !== to) modules.get(from)?.add(to);
  }
  return modules;
}

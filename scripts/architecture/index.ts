/**
 * The architecture check: reads packages/server/src's import graph and compares its breaches of
 * the layout rules with the committed baseline. `npm test` runs it (architecture.test.ts);
 * `npm run architecture` prints the summary. The rules: docs/architecture.md#the-architecture-check.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Comparison, compareWithBaseline, readBaseline } from "./baseline.js";
import { type Figures, measure } from "./figures.js";
import { buildImportGraph, type ImportGraph } from "./graph.js";
import { findViolations, type Violation } from "./rules.js";
import { readSourceTree } from "./source-tree.js";

export { type Baseline, type Comparison, compareWithBaseline, readBaseline, writeBaseline } from "./baseline.js";
export { explainAdded, explainGone, type Figures, formatSummary, measure } from "./figures.js";
export { buildImportGraph, type ImportEdge, type ImportGraph } from "./graph.js";
export { parseImports } from "./imports.js";
export { findViolations, moduleGraph, RULES, type RuleId, type Violation } from "./rules.js";
export { cyclicComponents } from "./scc.js";
export { lineCount, readSourceTree, type SourceFile } from "./source-tree.js";

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const SERVER_SOURCE = join(REPO_ROOT, "packages", "server", "src");
export const BASELINE_FILE = join(REPO_ROOT, "docs", "architecture-baseline.json");

export interface ArchitectureReport {
  graph: ImportGraph;
  violations: Violation[];
  baseline: string[];
  comparison: Comparison;
  figures: Figures;
}

export function checkArchitecture(sourceRoot = SERVER_SOURCE, baselineFile = BASELINE_FILE): ArchitectureReport {
  const graph = buildImportGraph(readSourceTree(sourceRoot));
  const violations = findViolations(graph);
  const baseline = readBaseline(baselineFile).violations;
  return {
    graph,
    violations,
    baseline,
    comparison: compareWithBaseline(violations, baseline),
    figures: measure(graph, violations, baseline),
  };
}

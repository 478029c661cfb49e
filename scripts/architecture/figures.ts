import type { Comparison } from "./baseline.js";
import type { ImportGraph } from "./graph.js";
import { isTestCode, MAX_SOURCE_LINES } from "./layout.js";
import { moduleGraph, RULES, type RuleId, type Violation } from "./rules.js";
import { cyclicComponents } from "./scc.js";
import { lineCount } from "./source-tree.js";

/** The counts issue 17 asks for before and after the restructuring. */
export interface Figures {
  sourceFiles: number;
  testFiles: number;
  sourceLines: number;
  largest: { path: string; lines: number }[];
  /** Module cycles: strongly connected components of the module graph, each sorted. */
  cycles: string[][];
  /** Pairs of modules that import each other directly. */
  mutualPairs: [string, string][];
  /** Breaches per rule, now and in the baseline. */
  perRule: Record<RuleId, { now: number; baseline: number }>;
}

const RULE_IDS = Object.keys(RULES) as RuleId[];

export function measure(graph: ImportGraph, violations: readonly Violation[], baseline: readonly string[]): Figures {
  const sources = graph.files.filter((file) => !isTestCode(file.path));
  const sized = sources.map((file) => ({ path: file.path, lines: lineCount(file.text) }));
  const modules = moduleGraph(graph);
  const mutualPairs: [string, string][] = [];
  for (const [from, targets] of modules) {
    for (const to of targets) if (from < to && modules.get(to)?.has(from)) mutualPairs.push([from, to]);
  }
  const perRule = {} as Record<RuleId, { now: number; baseline: number }>;
  for (const rule of RULE_IDS) {
    perRule[rule] = {
      now: violations.filter((violation) => violation.rule === rule).length,
      baseline: baseline.filter((entry) => entry.startsWith(`${rule}: `)).length,
    };
  }
  return {
    sourceFiles: sources.length,
    testFiles: graph.files.length - sources.length,
    sourceLines: sized.reduce((sum, file) => sum + file.lines, 0),
    largest: sized.sort((a, b) => b.lines - a.lines || (a.path < b.path ? -1 : 1)).slice(0, 10),
    cycles: cyclicComponents([...modules.keys()], modules),
    mutualPairs: mutualPairs.sort((a, b) => (a.join() < b.join() ? -1 : 1)),
    perRule,
  };
}

/** A report for people, ending with one `architecture key=value …` line for scripts. */
export function formatSummary(figures: Figures, comparison: Comparison): string {
  const lines: string[] = [];
  lines.push(
    `packages/server/src: ${figures.sourceFiles} source files (${figures.sourceLines} lines), ${figures.testFiles} test files`,
  );
  lines.push("", "Largest source files (lines):");
  for (const file of figures.largest) lines.push(`  ${String(file.lines).padStart(5)}  ${file.path}`);
  lines.push("", `Module cycles: ${figures.cycles.length}`);
  for (const cycle of figures.cycles) lines.push(`  {${cycle.join(", ")}}`);
  lines.push(`Modules importing each other directly: ${figures.mutualPairs.length} pairs`);
  for (const [a, b] of figures.mutualPairs) lines.push(`  ${a} <-> ${b}`);
  lines.push("", "Breaches per rule (now / baseline):");
  for (const rule of RULE_IDS) {
    const { now, baseline } = figures.perRule[rule];
    lines.push(`  ${rule.padEnd(30)} ${String(now).padStart(4)} / ${String(baseline).padStart(4)}`);
  }
  lines.push("");
  if (comparison.added.length === 0 && comparison.gone.length === 0) {
    lines.push("The code matches the baseline.");
  }
  for (const violation of comparison.added) lines.push(explainAdded(violation));
  for (const entry of comparison.gone) lines.push(explainGone(entry));
  const largest = figures.largest[0];
  lines.push(
    "",
    [
      "architecture",
      `files=${figures.sourceFiles}`,
      `largest_lines=${largest?.lines ?? 0}`,
      `over_${MAX_SOURCE_LINES}=${figures.perRule["file-too-long"].now}`,
      `cycles=${figures.cycles.length}`,
      `mutual_pairs=${figures.mutualPairs.length}`,
      `cycle_edges=${figures.perRule["module-cycle"].now}`,
      `internal_imports=${figures.perRule["internal-import"].now}`,
      `infrastructure_imports=${figures.perRule["infrastructure-imports-module"].now}`,
      `devices_runtime_imports=${figures.perRule["server-imports-devices"].now}`,
      `new=${comparison.added.length}`,
      `gone=${comparison.gone.length}`,
    ].join(" "),
  );
  return lines.join("\n");
}

export function explainAdded(violation: Violation): string {
  const rule = RULES[violation.rule];
  return `NEW ${violation.rule}: ${violation.detail}. Rule: ${rule.says}. Read ${rule.readMore}.`;
}

export function explainGone(entry: string): string {
  return (
    `GONE ${entry}: no longer occurs. Remove it from docs/architecture-baseline.json ` +
    "(npm run architecture -- --prune), so it cannot come back unnoticed."
  );
}

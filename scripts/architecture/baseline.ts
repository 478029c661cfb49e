import { readFileSync, writeFileSync } from "node:fs";
import type { Violation } from "./rules.js";

/**
 * The ratchet's memory: today's known breaches, sorted, one per line. The check fails on a breach
 * that is not listed and on a listed one that no longer occurs, so the list can only shrink.
 */
export interface Baseline {
  note: string;
  violations: string[];
}

export const BASELINE_NOTE =
  "Known breaches of the architecture rules (docs/architecture.md#the-architecture-check). " +
  "Only remove entries: `npm run architecture -- --prune` drops the ones that no longer occur. " +
  "Never add one to make a change pass; fix the change.";

export function readBaseline(path: string): Baseline {
  const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
  if (typeof parsed !== "object" || parsed === null || !("violations" in parsed)) {
    throw new Error(`${path}: expected an object with a "violations" list`);
  }
  const violations: unknown = parsed.violations;
  if (!Array.isArray(violations) || !violations.every((entry): entry is string => typeof entry === "string")) {
    throw new Error(`${path}: "violations" must be a list of strings`);
  }
  const sorted = [...new Set(violations)].sort();
  if (sorted.length !== violations.length || sorted.some((entry, i) => entry !== violations[i])) {
    // A sorted, duplicate-free file keeps merges of parallel branches to plain line conflicts.
    throw new Error(`${path}: "violations" must be sorted and without duplicates`);
  }
  const note = "note" in parsed && typeof parsed.note === "string" ? parsed.note : BASELINE_NOTE;
  return { note, violations };
}

export function writeBaseline(path: string, entries: readonly string[]): void {
  const baseline: Baseline = { note: BASELINE_NOTE, violations: [...new Set(entries)].sort() };
  writeFileSync(path, `${JSON.stringify(baseline, null, 2)}\n`);
}

export interface Comparison {
  /** Breaches not in the baseline: the change that brought them must be fixed. */
  added: Violation[];
  /** Baseline entries that no longer occur: remove them, so they cannot come back unnoticed. */
  gone: string[];
}

export function compareWithBaseline(violations: readonly Violation[], baseline: readonly string[]): Comparison {
  const known = new Set(baseline);
  const current = new Set(violations.map((violation) => violation.entry));
  return {
    added: violations.filter((violation) => !known.has(violation.entry)),
    gone: baseline.filter((entry) => !current.has(entry)),
  };
}

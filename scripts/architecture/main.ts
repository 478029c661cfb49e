/**
 * npm run architecture               summary; exits 1 when the code and the baseline disagree
 * npm run architecture -- --prune    also drops baseline entries that no longer occur
 *
 * There is deliberately no option that adds entries: a new breach is fixed, not recorded.
 */
import { BASELINE_FILE, checkArchitecture, formatSummary, writeBaseline } from "./index.js";

const args = process.argv.slice(2);
const unknown = args.filter((arg) => arg !== "--prune");
if (unknown.length > 0) {
  console.error(`unknown option ${unknown.join(" ")} (only --prune)`);
  process.exit(2);
}

const report = checkArchitecture();
if (args.includes("--prune") && report.comparison.gone.length > 0) {
  const gone = new Set(report.comparison.gone);
  writeBaseline(
    BASELINE_FILE,
    report.baseline.filter((entry) => !gone.has(entry)),
  );
  console.log(`Removed ${gone.size} entries that no longer occur from ${BASELINE_FILE}.\n`);
  const pruned = checkArchitecture();
  console.log(formatSummary(pruned.figures, pruned.comparison));
  process.exitCode = pruned.comparison.added.length > 0 ? 1 : 0;
} else {
  console.log(formatSummary(report.figures, report.comparison));
  process.exitCode = report.comparison.added.length > 0 || report.comparison.gone.length > 0 ? 1 : 0;
}

/**
 * Runs the unit and integration tests several times on a deliberately loaded machine: a test whose
 * verdict depends on how fast the machine is fails here rather than, some day, in CI.
 *
 *   npm run test:stress                       # 3 runs, one CPU burner per core
 *   npm run test:stress -- --runs 5 --burners 4 -- packages/devices/
 *
 * With TEST_DATABASE_URL set, every run covers SQLite and PostgreSQL (the integration tests run on
 * both). Never with --retry: a retried test hides a flake. Exits non-zero on any failure.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";

interface Options {
  runs: number;
  burners: number;
  /** The burners stop by themselves after this long, whatever happens to this script. */
  burnerLimitMinutes: number;
  vitestArgs: string[];
}

function parseOptions(argv: string[]): Options {
  const options: Options = { runs: 3, burners: availableParallelism(), burnerLimitMinutes: 120, vitestArgs: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const number = Number(argv[++i]);
      if (!Number.isInteger(number) || number < 0) throw new Error(`${arg} takes a whole number, not ${argv[i]}`);
      return number;
    };
    if (arg === "--runs") options.runs = Math.max(1, value());
    else if (arg === "--burners") options.burners = value();
    else if (arg === "--burner-limit-minutes") options.burnerLimitMinutes = Math.max(1, value());
    else if (arg === "--") options.vitestArgs = argv.slice(i + 1);
    else throw new Error(`unknown option ${arg} (--runs N, --burners N, --burner-limit-minutes N, -- vitest args)`);
    if (arg === "--") break;
  }
  if (options.vitestArgs.some((arg) => arg.startsWith("--retry"))) throw new Error("--retry hides flakes: not here");
  return options;
}

const children = new Set<ChildProcess>();

/** Kills every child still running (their process groups, so vitest's workers go too). */
function killChildren(): void {
  for (const child of children) {
    if (child.pid === undefined || child.exitCode !== null) continue;
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      child.kill("SIGKILL");
    }
  }
  children.clear();
}

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

/** A process spinning one core until it is killed or `limitMs` has passed. */
function startBurner(limitMs: number): ChildProcess {
  const spin = `const end = Date.now() + ${limitMs}; let x = 0; while (Date.now() < end) x = (x + Math.sqrt(x + 1)) % 1e9;`;
  return track(spawn(process.execPath, ["-e", spin], { stdio: "ignore", detached: true }));
}

interface Failure {
  file: string;
  test: string;
  message: string;
}

interface RunResult {
  exitCode: number;
  seconds: number;
  tests: number;
  failures: Failure[];
}

interface VitestJsonReport {
  numTotalTests?: number;
  testResults?: {
    name: string;
    message?: string;
    assertionResults?: { fullName: string; status: string; failureMessages?: string[] }[];
  }[];
}

function readReport(path: string): { tests: number; failures: Failure[] } {
  let report: VitestJsonReport;
  try {
    report = JSON.parse(readFileSync(path, "utf8")) as VitestJsonReport;
  } catch {
    return { tests: 0, failures: [{ file: "-", test: "-", message: "vitest wrote no report" }] };
  }
  const failures: Failure[] = [];
  for (const file of report.testResults ?? []) {
    const failed = (file.assertionResults ?? []).filter((test) => test.status === "failed");
    for (const test of failed) {
      failures.push({
        file: file.name,
        test: test.fullName,
        message: (test.failureMessages?.[0] ?? "").split("\n")[0] ?? "",
      });
    }
    // A file that failed outside any test (a hook, an import) has no failed assertion to show.
    if (failed.length === 0 && file.message)
      failures.push({ file: file.name, test: "(file)", message: file.message.split("\n")[0] ?? "" });
  }
  return { tests: report.numTotalTests ?? 0, failures };
}

function runVitest(vitestArgs: string[], reportFile: string): Promise<RunResult> {
  const started = performance.now();
  const args = [
    "vitest",
    "run",
    "--retry=0",
    "--reporter=dot",
    "--reporter=json",
    `--outputFile.json=${reportFile}`,
    ...vitestArgs,
  ];
  const child = track(spawn("npx", args, { stdio: "inherit", detached: true }));
  return new Promise((resolve) => {
    child.once("exit", (code, signal) => {
      const { tests, failures } = readReport(reportFile);
      resolve({
        exitCode: code ?? (signal ? 1 : 0),
        seconds: (performance.now() - started) / 1000,
        tests,
        failures,
      });
    });
  });
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const databases = process.env.TEST_DATABASE_URL
    ? "SQLite and PostgreSQL"
    : "SQLite (set TEST_DATABASE_URL for PostgreSQL too)";
  console.log(
    `test:stress — ${options.runs} run(s) of vitest beside ${options.burners} CPU burner(s), on ${databases}`,
  );
  const reports = mkdtempSync(join(tmpdir(), "threshold-stress-"));
  for (let i = 0; i < options.burners; i++) startBurner(options.burnerLimitMinutes * 60_000);
  const results: RunResult[] = [];
  try {
    for (let run = 1; run <= options.runs; run++) {
      console.log(`\n--- run ${run} of ${options.runs} ---`);
      const result = await runVitest(options.vitestArgs, join(reports, `run-${run}.json`));
      results.push(result);
      const verdict = result.exitCode === 0 ? "passed" : `FAILED (exit ${result.exitCode})`;
      console.log(`run ${run}: ${verdict}, ${result.tests} tests, ${result.seconds.toFixed(0)} s`);
      for (const failure of result.failures) console.log(`  ✗ ${failure.file} › ${failure.test}: ${failure.message}`);
    }
  } finally {
    killChildren();
    rmSync(reports, { recursive: true, force: true });
  }
  console.log("\ntest:stress summary");
  results.forEach((result, i) => {
    const verdict = result.exitCode === 0 ? "passed" : `failed (${result.failures.length} failure(s))`;
    console.log(`  run ${i + 1}: ${verdict} in ${result.seconds.toFixed(0)} s`);
  });
  return results.every((result) => result.exitCode === 0) ? 0 : 1;
}

// Every way out kills the burners and the test run: a normal end, an error, Ctrl-C, a kill.
process.on("exit", killChildren);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    killChildren();
    process.exit(130);
  });
}
main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 2;
  },
);

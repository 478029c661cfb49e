/**
 * `npm run bench` (`-- --quick`, `-- --profile`, `-- --only=video`, …): the benchmarks, one after
 * the other — camera video (video.ts, issue 5), parcel lockers (lockers.ts, issue 7), then in-home visits (run.ts, issue 3) — each
 * printing its summary line last; the visits line is the run's last line. See README.md.
 *
 * This is only the launcher. Each benchmark runs in a child process that this one watches,
 * because the event loop under test is saturated on purpose: if it were tsx's direct child, tsx
 * would take its slow answer to a forwarded Ctrl-C for a hang and kill it outright, leaving the
 * temp dir behind. Here each run's data dir is made first and removed whatever becomes of the
 * run, and signals are passed on (a second Ctrl-C kills the run at once).
 */
import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BENCHMARKS = { video: "video.ts", lockers: "lockers.ts", visits: "run.ts" } as const;
type Benchmark = keyof typeof BENCHMARKS;

const args = process.argv.slice(2);
const only = args.find((a) => a.startsWith("--only="))?.slice("--only=".length);
if (only !== undefined && !(only in BENCHMARKS)) {
  console.error(`--only takes ${Object.keys(BENCHMARKS).join(" or ")}`);
  process.exit(2);
}
const chosen = (only ? [only] : Object.keys(BENCHMARKS)) as Benchmark[];
const passedOn = args.filter((a) => !a.startsWith("--only="));

const dataDirs = new Set<string>();
process.on("exit", () => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

let current: ChildProcess | undefined;
let signals = 0;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    // From a terminal the run gets Ctrl-C itself too; from `kill` only we have it.
    current?.kill(++signals === 1 ? signal : "SIGKILL");
  });
}

/** Runs one benchmark in its own temp data dir; resolves with its exit code. */
function runOne(benchmark: Benchmark): Promise<number> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `threshold-bench-${benchmark}-`));
  dataDirs.add(dataDir);
  const run = fork(path.join(HERE, BENCHMARKS[benchmark]), passedOn, {
    execArgv: ["--import", import.meta.resolve("tsx")],
    stdio: ["inherit", "inherit", "inherit", "ipc"],
    env: { ...process.env, BENCH_DATA_DIR: dataDir },
  });
  current = run;
  return new Promise((resolve) => {
    run.on("exit", (code, signal) => {
      rmSync(dataDir, { recursive: true, force: true });
      dataDirs.delete(dataDir);
      resolve(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1));
    });
  });
}

let status = 0;
for (const benchmark of chosen) {
  const code = await runOne(benchmark);
  if (code === 130 || signals > 0) process.exit(code || 130);
  // A failed benchmark says so and fails the run, but the next one still runs.
  if (code !== 0) status = code;
}
process.exit(status);

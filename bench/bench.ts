/**
 * `npm run bench` (`-- --quick`, `-- --profile`, …): the in-home delivery benchmark of issue 3.
 * See README.md for what it measures and how.
 *
 * This is only the launcher. The benchmark (run.ts) runs in a child process that this one watches,
 * because the event loop under test is saturated on purpose: if it were tsx's direct child, tsx
 * would take its slow answer to a forwarded Ctrl-C for a hang and kill it outright, leaving the
 * temp dir behind. Here the data dir is made first and removed whatever becomes of the run, and
 * signals are passed on (a second Ctrl-C kills the run at once).
 */
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const dataDir = mkdtempSync(path.join(os.tmpdir(), "threshold-bench-"));
const removeDataDir = () => rmSync(dataDir, { recursive: true, force: true });
process.on("exit", removeDataDir);

const run = fork(path.join(path.dirname(fileURLToPath(import.meta.url)), "run.ts"), process.argv.slice(2), {
  execArgv: ["--import", import.meta.resolve("tsx")],
  stdio: ["inherit", "inherit", "inherit", "ipc"],
  env: { ...process.env, BENCH_DATA_DIR: dataDir },
});

let signals = 0;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    // From a terminal the run gets Ctrl-C itself too; from `kill` only we have it.
    run.kill(++signals === 1 ? signal : "SIGKILL");
  });
}

run.on("exit", (code, signal) => {
  removeDataDir();
  process.exit(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1));
});

import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import readline from "node:readline";

const BIN = path.resolve(import.meta.dirname, "../bin/threshold.js");

/** `threshold <args>` in a child process whose stdout lines the test reads as they come. */
export interface Spawned {
  child: ChildProcess;
  /** Every stdout line so far. */
  lines: string[];
  /** Resolves with the first stdout line (past or future) that `match` accepts; rejects if the process exits first. */
  line(match: (line: string) => boolean): Promise<string>;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  /** Ends the process if it still runs (SIGKILL) and waits for it. */
  kill(): Promise<void>;
}

export function spawnThreshold(args: string[], env: Record<string, string>): Spawned {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const waiting = new Set<{ match: (line: string) => boolean; resolve: (line: string) => void }>();
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  readline.createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
    lines.push(line);
    for (const waiter of waiting) {
      if (waiter.match(line)) {
        waiting.delete(waiter);
        waiter.resolve(line);
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    lines,
    line: (match) =>
      new Promise<string>((resolve, reject) => {
        const seen = lines.find(match);
        if (seen !== undefined) return resolve(seen);
        waiting.add({ match, resolve });
        void exited.then((code) =>
          reject(new Error(`threshold ${args.join(" ")} exited (${code}) first; stderr: ${stderr}`)),
        );
      }),
    exited,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { LineTail } from "./line-tail.js";

/** How an ffmpeg process ended, with the last lines it wrote to stderr. */
export interface FfmpegExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string[];
}

export interface FfmpegProcessOptions {
  ffmpegPath: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Every line ffmpeg writes to stdout (where the segment list goes). */
  onLine: (line: string) => void;
  /** Called once when the process has ended and its output has been read to the end. */
  onExit: (exit: FfmpegExit) => void;
}

/**
 * One running ffmpeg: spawns it, hands over its stdout line by line, remembers the end of its
 * stderr, and stops it politely first and by force if it must.
 */
export class FfmpegProcess {
  private child: ChildProcess | undefined;
  private readonly stderr = new LineTail();
  private readonly closed: Promise<FfmpegExit>;
  private resolveClosed: (exit: FfmpegExit) => void = () => {};

  constructor(private readonly options: FfmpegProcessOptions) {
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The last lines ffmpeg wrote to stderr so far. */
  stderrLines(): string[] {
    return this.stderr.lines();
  }

  /** Resolves once the process runs; rejects (with what stderr said) when it cannot be spawned. */
  start(): Promise<void> {
    const { ffmpegPath, args, cwd, env, onLine, onExit } = this.options;
    const child = spawn(ffmpegPath, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => this.stderr.push(chunk));
    if (child.stdout) createInterface({ input: child.stdout }).on("line", onLine);

    let ended = false;
    const end = (code: number | null, signal: NodeJS.Signals | null) => {
      if (ended) return;
      ended = true;
      const exit = { code, signal, stderr: this.stderr.lines() };
      this.resolveClosed(exit);
      // A process that never ran did not "exit": start() rejects instead, and that is the one report.
      if (child.pid !== undefined) onExit(exit);
    };
    return new Promise((resolve, reject) => {
      child.once("spawn", () => {
        // "close" rather than "exit": it comes after stdout is drained, so no segment line is lost.
        child.once("close", end);
        resolve();
      });
      child.once("error", (error) => {
        if (child.pid === undefined) {
          end(null, null);
          reject(new Error(`could not start ffmpeg (${ffmpegPath}): ${error.message}`));
        }
      });
    });
  }

  /**
   * SIGTERM, which ffmpeg handles like `q`: it finishes and lists the segment it is writing. A
   * stuck ffmpeg gets SIGKILL after `timeoutMs`. Resolves when the process is gone.
   */
  async stop(timeoutMs: number): Promise<FfmpegExit> {
    const child = this.child;
    if (!child) return { code: null, signal: null, stderr: [] };
    if (child.pid === undefined) return this.closed;
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const timer = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }, timeoutMs);
    try {
      return await this.closed;
    } finally {
      clearTimeout(timer);
    }
  }
}

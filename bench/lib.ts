import { readFileSync } from "node:fs";
import os from "node:os";
/** Helpers and message shapes shared by the benchmark's processes (run.ts, agents.ts, couriers.ts, video.ts, video-cameras.ts). */

/** The p-th percentile (0–100) of `values`, nearest-rank; NaN when empty. Sorts a copy. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** A courier's stop as the load generator sees it: what to scan, and where the courier stands. */
export interface Stop {
  tracking: string;
  lat: number;
  lng: number;
}

export interface CourierPlan {
  /** Value for the `cookie` header. */
  cookie: string;
  stops: Stop[];
}

/** CPU time used by a process during a phase: user+system microseconds, and the wall time it covers. */
export interface CpuSample {
  cpuUs: number;
  /** Of cpuUs, the part spent in the kernel (system calls: writes, fsync, sockets). */
  systemUs: number;
  wallMs: number;
}

export interface VisitFailure {
  step: "scan" | "secure";
  detail: string;
}

export interface PhaseResult {
  /** Complete visits (scan → open → secure → secured) that finished inside the measured window. */
  completed: number;
  windowMs: number;
  /** Scan → open answer, ms, for visits counted in the window. */
  openMs: number[];
  /** Secure → secured answer, ms. */
  secureMs: number[];
  failures: number;
  firstFailures: VisitFailure[];
  /** Couriers that ran out of shipments before the end (the figure would then be a floor). */
  exhausted: number;
  /** Open loop only: the most arrivals that waited at once for an idle courier (their wait is in openMs). */
  maxQueuedArrivals: number;
  /** Open loop only: the worst delay between an arrival's scheduled time and its send. */
  maxSendLagMs: number;
  cpu: CpuSample;
}

export type CourierCommand =
  | { type: "throughput"; baseUrl: string; couriers: CourierPlan[]; warmupMs: number; durationMs: number }
  | {
      type: "latency";
      baseUrl: string;
      couriers: CourierPlan[];
      ratePerS: number;
      warmupMs: number;
      durationMs: number;
    }
  | { type: "stop" };

export type CourierReport =
  | { type: "ready" }
  | { type: "result"; result: PhaseResult }
  | { type: "error"; message: string };

/** `quiet`: the server is about to close; the agents' reconnection attempts are expected, not news. */
export type AgentCommand = { type: "cpu" } | { type: "quiet" } | { type: "stop" };

/** The cameras' segment uploads so far, summed over all of them (CameraAgent.uploads). */
export interface UploadTotals {
  uploaded: number;
  refused: number;
  dropped: number;
}

export type AgentReport =
  | { type: "progress"; started: number; total: number }
  | { type: "ready"; started: number; errors: number }
  | { type: "cpu"; sample: CpuSample; uploads: UploadTotals }
  | { type: "error"; message: string };

/** Measures a process's CPU use between two calls. */
export class CpuMeter {
  private cpu = process.cpuUsage();
  private at = performance.now();

  reset(): void {
    this.cpu = process.cpuUsage();
    this.at = performance.now();
  }

  sample(): CpuSample {
    const used = process.cpuUsage(this.cpu);
    return { cpuUs: used.user + used.system, systemUs: used.system, wallMs: performance.now() - this.at };
  }
}

/**
 * The whole machine's busy CPU (every process, and the kernel's own threads: journal commits,
 * writeback) from Linux's /proc/stat, in cores busy on average since the meter started; null
 * where there is no /proc/stat.
 */
export class MachineCpuMeter {
  private readonly start = MachineCpuMeter.read();

  private static read(): { busy: number; total: number } | null {
    try {
      const fields = /^cpu +(.*)$/m.exec(readFileSync("/proc/stat", "utf8"))?.[1]?.split(/\s+/).map(Number) ?? [];
      const total = fields.reduce((sum, n) => sum + n, 0);
      // idle and iowait are the 4th and 5th fields: time no CPU work was done.
      return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total };
    } catch {
      return null;
    }
  }

  /** Cores busy on average (0 … os.availableParallelism()) since the meter started. */
  coresBusy(): number | null {
    const now = MachineCpuMeter.read();
    if (!now || !this.start || now.total === this.start.total) return null;
    return ((now.busy - this.start.busy) / (now.total - this.start.total)) * os.availableParallelism();
  }
}

/** Share of one core, in percent. */
export function corePercent(sample: CpuSample): number {
  return sample.wallMs > 0 ? (sample.cpuUs / 1000 / sample.wallMs) * 100 : 0;
}

/** What one phase of the video benchmark's cameras measured (video-cameras.ts). */
export interface VideoPhaseResult {
  /** Segments the server stored inside the window, and their bytes. */
  segments: number;
  bytes: number;
  windowMs: number;
  /** Live phase: per segment, from its capture end to the live playlist listing it. */
  lagMs: number[];
  failures: number;
  /** The first few failures' codes (the server's error code, or the network error). */
  firstFailures: string[];
  /** The cameras' process CPU during the phase. */
  cpu: CpuSample | null;
}

export type VideoCameraCommand =
  | {
      type: "setup";
      serverUrl: string;
      /** A session cookie of someone who may watch every camera (an operator). */
      viewerCookie: string;
      /** Each camera's credentials and its Ed25519 key (PKCS#8 PEM), which signs its segments. */
      cameras: { deviceId: string; secret: string; privateKeyPem: string }[];
      segmentBytes: number;
    }
  /** `serverUrl`: upload there instead (the bare HTTP sink), with uploaders of its own. */
  | { type: "ingest"; warmupMs: number; durationMs: number; serverUrl?: string }
  | { type: "live"; durationMs: number }
  | { type: "stop" };

export type VideoCameraReport =
  | { type: "ready" }
  | { type: "result"; result: VideoPhaseResult }
  | { type: "error"; message: string };

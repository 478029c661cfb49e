/**
 * The video benchmark (bench/bench.ts launches it before the visits; README.md): how fast the
 * server takes camera video in, against writing the same bytes straight to the same disk in the
 * same run, and how soon a segment is watchable live.
 *
 * Starts the real server on embedded defaults (SQLite, the directory media store) in a temp data
 * dir, seeds homes with paired cameras and an operator session, then:
 *
 *   raw disk: as many writers as cameras, in this process while the server idles, each writing
 *             segment after segment to its own new file and fsyncing it (the durability the media
 *             store gives every segment) — the ceiling for ingest on this disk.
 *   bare HTTP: the same uploads to a node:http server in this process that only reads and hashes
 *             them — what HTTP itself costs here, the ceiling for any HTTP ingest on this machine.
 *   ingest:   every camera uploads back to back (closed loop) from a child process (video-cameras.ts)
 *             through the real upload endpoint: credentials, hashes and chain checked, the bytes
 *             fsynced and renamed into the store, the segment's row committed.
 *   live:     every camera on the real 2 s cadence; per segment, from its capture end to the live
 *             playlist listing it.
 *
 * Prints, last:
 *
 *   bench video segments_per_s=<n> ingest_mb_per_s=<n> raw_disk_mb_per_s=<n> live_lag_p50_ms=<n>
 *
 * Options: --quick, --cameras=N (200), --segment-kib=N (256: 1 Mbit/s video), --video-duration=S,
 * --profile (a CPU profile of the server during ingest, in bench/out/, with a summary).
 */
import type { ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import fs from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ServerHandle } from "@threshold/server";
import { nextMessage, startBenchServer, startChild, stopChild, withTimeout } from "./children.js";
import { Profiler } from "./instrument.js";
import {
  CpuMeter,
  type CpuSample,
  corePercent,
  MachineCpuMeter,
  percentile,
  type VideoCameraCommand,
  type VideoCameraReport,
  type VideoPhaseResult,
} from "./lib.js";
import { seedOperatorSession, seedWorld } from "./seed.js";

const args = process.argv.slice(2);
function option(name: string, fallback: number): number {
  const raw = args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}
const quick = args.includes("--quick");
const profiling = args.includes("--profile");
const settings = {
  cameras: Math.round(option("cameras", 200)),
  segmentBytes: Math.round(option("segment-kib", 256) * 1024),
  warmupS: 1,
  durationS: option("video-duration", quick ? 4 : 10),
  /** The live phase runs a whole number of 2 s segments per camera. */
  liveS: quick ? 6 : 12,
};
const MB = 1024 * 1024;
const HERE = path.dirname(fileURLToPath(import.meta.url));

const started = performance.now();
const say = (line: string) =>
  console.log(`[bench video ${((performance.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}`);
const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");

// Cleanup: the cameras, then the server, then the temp dir — on success, error and Ctrl-C alike.
const resources: { cameras?: ChildProcess; server?: ServerHandle; dataDir?: string } = {};
let cleaning: Promise<void> | null = null;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await stopChild(resources.cameras).catch(() => undefined);
    const server = resources.server;
    if (server) await withTimeout(server.close(), 15_000, "closing the server").catch(() => undefined);
    if (resources.dataDir) rmSync(resources.dataDir, { recursive: true, force: true });
  })();
  return cleaning;
}
let interrupted = false;
function interrupt(why: string): void {
  if (interrupted) return;
  interrupted = true;
  console.error(`\n[bench video] ${why}: stopping`);
  void cleanup().finally(() => process.exit(130));
}
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => interrupt(signal));
process.on("disconnect", () => interrupt("launcher gone"));

/**
 * The baseline: `writers` concurrent loops, each writing `bytes` to a new file, fsyncing and
 * closing it, for `ms` after `warmupMs`. Counts the bytes made durable inside the window.
 */
async function rawDiskWrites(dir: string, writers: number, bytes: Buffer, warmupMs: number, ms: number) {
  mkdirSync(dir, { recursive: true });
  const start = performance.now();
  const windowStart = start + warmupMs;
  const windowEnd = windowStart + ms;
  let written = 0;
  let files = 0;
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      for (let n = 0; performance.now() < windowEnd; n++) {
        const file = await fs.open(path.join(dir, `w${writer}-${n}.ts`), "wx", 0o600);
        try {
          await file.writeFile(bytes);
          await file.sync();
        } finally {
          await file.close();
        }
        const at = performance.now();
        if (at >= windowStart && at <= windowEnd) {
          written += bytes.length;
          files++;
        }
      }
    }),
  );
  await fs.rm(dir, { recursive: true, force: true });
  return { mbPerS: written / MB / (ms / 1000), filesPerS: files / (ms / 1000) };
}

/** A node:http server that reads each upload, hashes it as the real one does, and answers 201. */
async function startBareSink(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((request, response) => {
    const hash = createHash("sha256");
    request.on("data", (chunk: Buffer) => hash.update(chunk));
    request.on("end", () => {
      hash.digest("hex");
      response.writeHead(201, { "content-type": "application/json" }).end("{}");
    });
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The server process's CPU and event-loop use over a phase. */
function serverWindow() {
  const meter = new CpuMeter();
  const elu = performance.eventLoopUtilization();
  return () => ({ cpu: meter.sample(), elu: performance.eventLoopUtilization(elu).utilization });
}

function describeCpu(name: string, server: { cpu: CpuSample; elu: number }, cameras: CpuSample | null): void {
  say(
    `${name}: server CPU ${fmt(corePercent(server.cpu), 0)}% of a core (event loop ${fmt(server.elu * 100, 0)}% busy)` +
      (cameras ? `, cameras' process ${fmt(corePercent(cameras), 0)}%` : ""),
  );
}

/** Machine CPU time per unit of work (ms) over the meter's span, when /proc/stat tells it. */
function cpuMsPer(meter: MachineCpuMeter, unitsPerS: number): number | null {
  const cores = meter.coresBusy();
  return cores === null || unitsPerS <= 0 ? null : (cores * 1000) / unitsPerS;
}

/** "; all processes and the kernel: … per <unit>", to end a phase's line; empty when unknown. */
function describeMachineCpu(cpuMs: number | null, unit: string): string {
  return cpuMs === null ? "" : `; all processes and the kernel: ${fmt(cpuMs, 2)} ms of CPU per ${unit}`;
}

async function runPhase(cameras: ChildProcess, command: VideoCameraCommand, limitMs: number) {
  const answer = nextMessage<VideoCameraReport, VideoPhaseResult>(cameras, (m) =>
    m.type === "result" ? m.result : undefined,
  );
  cameras.send(command);
  return withTimeout(answer, limitMs, `the ${command.type} phase`);
}

async function main(): Promise<number> {
  const { cameras: cameraCount, segmentBytes } = settings;
  say(
    `${quick ? "quick" : "full"} run: ${cameraCount} cameras, ${fmt(segmentBytes / 1024, 0)} KiB segments of 2 s, ` +
      `${settings.durationS} s per throughput phase after ${settings.warmupS} s warm-up, live ${settings.liveS} s`,
  );
  const dataDir = process.env.BENCH_DATA_DIR ?? mkdtempSync(path.join(os.tmpdir(), "threshold-bench-video-"));
  resources.dataDir = dataDir;
  const server = await startBenchServer(dataDir, { MEDIA_MAX_SEGMENT_BYTES: String(Math.max(4 * MB, segmentBytes)) });
  resources.server = server;
  const world = await seedWorld(server.ctx, { homes: cameraCount, couriers: 1, brokerUrl: server.ctx.mqttUrl });
  const viewerCookie = await seedOperatorSession(server.ctx);
  const cameraIdentities = world.devices
    .filter((d) => d.kind === "camera")
    .map((d) => ({ deviceId: d.deviceId, secret: d.mqtt.password, privateKeyPem: d.privateKeyPem }));
  say(`server up: ${server.url}; media in ${server.ctx.config.media.dir}; seeded ${cameraIdentities.length} cameras`);

  // The baseline first, while nothing else runs: the same bytes, as many writers, the same disk.
  const sample = Buffer.alloc(segmentBytes, 0x47); // MPEG-TS sync bytes: the content does not matter to a disk
  let machine = new MachineCpuMeter();
  const raw = await rawDiskWrites(
    path.join(path.dirname(server.ctx.config.media.dir), "raw-disk-baseline"),
    cameraCount,
    sample,
    settings.warmupS * 1000,
    settings.durationS * 1000,
  );
  const rawCpuMs = cpuMsPer(machine, raw.filesPerS);
  say(
    `raw disk: ${fmt(raw.mbPerS)} MB/s (${fmt(raw.filesPerS, 0)} files/s, each written and fsynced by ${cameraCount} writers)` +
      describeMachineCpu(rawCpuMs, "file"),
  );

  const cameras = startChild("video-cameras.ts", []);
  resources.cameras = cameras;
  const ready = nextMessage<VideoCameraReport, true>(cameras, (m) => (m.type === "ready" ? true : undefined));
  cameras.send({
    type: "setup",
    serverUrl: server.url,
    viewerCookie,
    cameras: cameraIdentities,
    segmentBytes,
  } satisfies VideoCameraCommand);
  await withTimeout(ready, 30_000, "starting the cameras");

  // Second baseline: the same uploads to a bare node:http server in this process that reads each
  // body, hashes it and answers 201 — the cost of HTTP itself on this machine, with no storage.
  const sink = await startBareSink();
  machine = new MachineCpuMeter();
  const bare = await runPhase(
    cameras,
    { type: "ingest", warmupMs: settings.warmupS * 1000, durationMs: settings.durationS * 1000, serverUrl: sink.url },
    (settings.warmupS + settings.durationS) * 1000 + 60_000,
  );
  await sink.close();
  const bareMbPerS = bare.bytes / MB / (bare.windowMs / 1000);
  const bareUploadsPerS = bare.segments / (bare.windowMs / 1000);
  const bareCpuMs = cpuMsPer(machine, bareUploadsPerS);
  say(
    `bare HTTP sink (read, hash, answer; nothing stored): ${fmt(bareUploadsPerS)} uploads/s, ` +
      `${fmt(bareMbPerS)} MB/s (${fmt((bareMbPerS / raw.mbPerS) * 100, 0)}% of raw disk)` +
      describeMachineCpu(bareCpuMs, "upload"),
  );
  if (rawCpuMs !== null && bareCpuMs !== null) {
    // Storing a segment costs at least what sending it over HTTP and writing it to disk cost
    // alone; when the machine's CPU is what runs out, that caps ingest however good the server.
    const ceilingPerS = (os.availableParallelism() * 1000) / (rawCpuMs + bareCpuMs);
    const ceilingMbPerS = (ceilingPerS * segmentBytes) / MB;
    say(
      `CPU ceiling for ingest: ${os.availableParallelism()} cores / (${fmt(bareCpuMs, 2)} ms upload + ${fmt(rawCpuMs, 2)} ms write) = ` +
        `${fmt(ceilingPerS)} segments/s, ${fmt(ceilingMbPerS)} MB/s (${fmt((ceilingMbPerS / raw.mbPerS) * 100, 0)}% of raw disk)`,
    );
  }

  let measure = serverWindow();
  machine = new MachineCpuMeter();
  const profiler = profiling ? new Profiler() : null;
  await profiler?.start();
  const ingest = await runPhase(
    cameras,
    { type: "ingest", warmupMs: settings.warmupS * 1000, durationMs: settings.durationS * 1000 },
    (settings.warmupS + settings.durationS) * 1000 + 60_000,
  );
  const ingestServer = measure();
  if (profiler) {
    const file = path.join(HERE, "out", `video-${new Date().toISOString().replace(/[:.]/g, "-")}.cpuprofile`);
    for (const line of await profiler.stop(file)) console.log(line);
  }
  const secs = ingest.windowMs / 1000;
  const segmentsPerS = ingest.segments / secs;
  const ingestMbPerS = ingest.bytes / MB / secs;
  say(
    `ingest: ${ingest.segments} segments stored in ${fmt(secs)} s = ${fmt(segmentsPerS)}/s, ${fmt(ingestMbPerS)} MB/s ` +
      `(${fmt((ingestMbPerS / raw.mbPerS) * 100, 0)}% of raw disk, ${fmt((ingestMbPerS / bareMbPerS) * 100, 0)}% of the bare HTTP sink), ${ingest.failures} failed` +
      (ingest.firstFailures.length > 0 ? ` (${ingest.firstFailures.join(", ")})` : ""),
  );
  describeCpu("ingest", ingestServer, ingest.cpu);
  const ingestCpuMs = cpuMsPer(machine, segmentsPerS);
  if (ingestCpuMs !== null) say(`ingest: all processes and the kernel: ${fmt(ingestCpuMs, 2)} ms of CPU per segment`);

  measure = serverWindow();
  const live = await runPhase(
    cameras,
    { type: "live", durationMs: settings.liveS * 1000 },
    settings.liveS * 1000 + 60_000,
  );
  const liveServer = measure();
  const lagP50 = percentile(live.lagMs, 50);
  say(
    `live: ${live.segments} segments at the real cadence (${fmt(live.segments / (live.windowMs / 1000))}/s); ` +
      `capture end → listed in the live playlist p50 ${fmt(lagP50, 0)} ms, p99 ${fmt(percentile(live.lagMs, 99), 0)} ms, ` +
      `max ${fmt(Math.max(...live.lagMs), 0)} ms (one segment is 2000 ms); ${live.failures} failed` +
      (live.firstFailures.length > 0 ? ` (${live.firstFailures.join(", ")})` : ""),
  );
  describeCpu("live", liveServer, live.cpu);

  await cleanup();
  console.log(
    `bench video segments_per_s=${fmt(segmentsPerS)} ingest_mb_per_s=${fmt(ingestMbPerS)} ` +
      `raw_disk_mb_per_s=${fmt(raw.mbPerS)} live_lag_p50_ms=${fmt(lagP50, 0)}`,
  );
  return ingest.failures + live.failures > 0 ? 1 : 0;
}

main().then(
  async (code) => {
    await cleanup();
    process.exit(interrupted ? 130 : code);
  },
  async (error: unknown) => {
    if (!interrupted) {
      console.error(`[bench video] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
    await cleanup();
    process.exit(interrupted ? 130 : 1);
  },
);

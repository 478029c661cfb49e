import { spawnSync } from "node:child_process";
import { EventEmitter } from "node:events";
import { existsSync, mkdtempSync, readdirSync, rmSync, watch, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GENESIS_SEGMENT_HASH, segmentChainHash } from "@threshold/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VideoSegment } from "../video-source.js";
import { findFfmpeg } from "./ffmpeg-path.js";
import { FfmpegVideoSource } from "./ffmpeg-video-source.js";

/**
 * Resolves once `ready()` holds, checked now and whenever `subscribe` reports a change; rejects
 * after `timeoutMs` (a generous bound on real work, never a window to count what happened in).
 */
function when(
  ready: () => boolean,
  subscribe: (changed: () => void) => () => void,
  timeoutMs: number,
  what: () => string,
): Promise<void> {
  if (ready()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      clearTimeout(timer);
      unsubscribe();
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => done(new Error(`${what()} in ${timeoutMs} ms`)), timeoutMs);
    const unsubscribe = subscribe(() => {
      if (ready()) done();
    });
  });
}

/** The highest ffmpeg segment file number in `dir` (files are seg-NNNNNN.ts), or -1. */
function newestSegmentFile(dir: string): number {
  const numbers = readdirSync(dir).map((name) => /^seg-(\d+)\.ts$/.exec(name)?.[1]);
  return Math.max(-1, ...numbers.filter((n) => n !== undefined).map(Number));
}

/** Resolves once ffmpeg has begun writing segment file `n` in `dir`: every file before it is finished. */
function untilSegmentFile(dir: string, n: number, timeoutMs: number): Promise<void> {
  return when(
    () => newestSegmentFile(dir) >= n,
    (changed) => {
      const watcher = watch(dir, changed);
      return () => watcher.close();
    },
    timeoutMs,
    () => `ffmpeg did not reach segment file ${n}`,
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One real recording shared by the checks below: ~9 s of ffmpeg instead of one run per check. */
describe("FfmpegVideoSource with the real ffmpeg", () => {
  const root = mkdtempSync(join(tmpdir(), "threshold-video-test-"));
  const source = new FfmpegVideoSource({ deviceId: "dev_cam_test", cameraName: "Front door", tempRoot: root });
  const segments: VideoSegment[] = [];
  const arrivals = new EventEmitter();
  /** Resolves once `segments` holds `count`, woken by each segment as it arrives. */
  const waitFor = (count: number, timeoutMs: number) =>
    when(
      () => segments.length >= count,
      (changed) => {
        arrivals.on("segment", changed);
        return () => arrivals.off("segment", changed);
      },
      timeoutMs,
      () => `only ${segments.length} of ${count} segments`,
    );
  const errors: Error[] = [];
  let startCalledAt = 0;
  let firstSegmentHeardAt = 0;
  let pid: number | undefined;
  let streamDir: string | undefined;

  beforeAll(async () => {
    source.onSegment((segment) => {
      if (segments.length === 0) firstSegmentHeardAt = Date.now();
      segments.push(segment);
      arrivals.emit("segment");
    });
    source.onError((error) => errors.push(error));
    startCalledAt = Date.now();
    await source.start("vis_1");
    await source.start("vis_1"); // idempotent: still one ffmpeg, one stream
    pid = source.pid;
    streamDir = source.directory;
    // Six seconds of real-time video; a loaded machine may encode slower, so the bound is generous.
    await waitFor(3, 30_000);
  }, 45_000);

  afterAll(async () => {
    await source.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it("produces segments of about 2 s, numbered from 0, that follow each other in time", () => {
    expect(errors).toEqual([]);
    const first = segments.slice(0, 3);
    expect(first.map((s) => s.sequence)).toEqual([0, 1, 2]);
    expect(new Set(first.map((s) => s.streamId)).size).toBe(1);
    expect(first.every((s) => s.visitId === "vis_1")).toBe(true);
    for (const segment of first) expect(Math.abs(segment.durationMs - 2000)).toBeLessThanOrEqual(300);
    // The first frame's time is counted from this start(): not before it was called, and not after
    // the segment that holds it was heard (how long ffmpeg took to start depends on the machine's load).
    expect(first[0]?.startedAt ?? 0).toBeGreaterThanOrEqual(startCalledAt);
    expect(first[0]?.startedAt ?? 0).toBeLessThanOrEqual(firstSegmentHeardAt);
    for (let i = 1; i < first.length; i++) {
      const gap = (first[i]?.startedAt ?? 0) - (first[i - 1]?.startedAt ?? 0);
      expect(Math.abs(gap - (first[i - 1]?.durationMs ?? 0))).toBeLessThanOrEqual(300);
    }
  });

  it("emits MPEG-TS: a sync byte every 188 bytes", () => {
    for (const { data } of segments.slice(0, 3)) {
      expect(data.length).toBeGreaterThan(188 * 10);
      expect(data.length % 188).toBe(0);
      for (let offset = 0; offset < data.length; offset += 188) {
        if (data[offset] !== 0x47) expect.fail(`no sync byte at ${offset}`);
      }
    }
  });

  it("emits H.264 that decodes on its own and starts with a keyframe", () => {
    const dir = mkdtempSync(join(tmpdir(), "threshold-decode-"));
    try {
      // The second segment: that the first starts with a keyframe proves nothing about the cut.
      const file = join(dir, "segment.ts");
      writeFileSync(file, segments[1]?.data ?? new Uint8Array());
      const run = spawnSync(
        findFfmpeg(),
        ["-hide_banner", "-nostdin", "-i", file, "-vf", "showinfo", "-f", "null", "-"],
        {
          encoding: "utf8",
        },
      );
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/Video: h264/);
      expect(run.stderr).toMatch(/640x360/);
      // showinfo prints one line per decoded frame, in every ffmpeg version. The `frame=` progress
      // line is no count: ffmpeg 5 prints it while decoding too, so its first one may say 1.
      const frameLines = run.stderr.split("\n").filter((line) => /\bn:\s*\d+\s+pts:/.test(line));
      expect(frameLines.length).toBeGreaterThanOrEqual(15);
      const firstFrame = frameLines.find((line) => /\bn:\s*0\b/.test(line)) ?? "";
      expect(firstFrame).toMatch(/iskey:1/);
      expect(firstFrame).toMatch(/type:I/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("chains the segments from the genesis hash, and the chain recomputes", () => {
    const first = segments.slice(0, 3);
    expect(first[0]?.prevHash).toBe(GENESIS_SEGMENT_HASH);
    for (let i = 1; i < first.length; i++) expect(first[i]?.prevHash).toBe(first[i - 1]?.chainHash);
    for (const segment of first) {
      const recomputed = segmentChainHash({
        prevHash: segment.prevHash ?? "",
        deviceId: "dev_cam_test",
        sequence: segment.sequence,
        startedAt: segment.startedAt,
        durationMs: segment.durationMs,
        contentSha256: segment.contentSha256 ?? "",
      });
      expect(segment.chainHash).toBe(recomputed);
    }
    expect(new Set(first.map((s) => s.contentSha256)).size).toBe(3);
  });

  it("deletes segments once emitted, so the temp dir stays small", () => {
    expect(streamDir).toBeDefined();
    const files = readdirSync(streamDir ?? "").filter((name) => name.endsWith(".ts"));
    expect(files.length).toBeLessThanOrEqual(2); // the one being written, maybe the one being read
  });

  it("freeze() stops the segments while the camera still looks started", { timeout: 40_000 }, async () => {
    source.freeze();
    const count = segments.length;
    const dir = streamDir ?? "";
    // ffmpeg goes on recording: once it has begun two files after the one it was writing, at least
    // one whole segment finished while frozen and went undelivered.
    await untilSegmentFile(dir, newestSegmentFile(dir) + 2, 30_000);
    expect(segments.length).toBe(count);
    expect(source.started).toBe(true);
    expect(source.frozen).toBe(true);
    expect(pid !== undefined && isAlive(pid)).toBe(true);
    expect(errors).toEqual([]); // a freeze is not a stall to report
  });

  it("stop() leaves no ffmpeg and no temp dir", async () => {
    await source.stop();
    expect(source.started).toBe(false);
    expect(source.pid).toBeUndefined();
    expect(pid !== undefined && isAlive(pid)).toBe(false);
    expect(existsSync(streamDir ?? "")).toBe(false);
    expect(readdirSync(root)).toEqual([]);
    await source.stop(); // stopping twice is harmless
  });

  it("start() after stop() begins a new stream: sequence 0, genesis hash, not frozen", {
    timeout: 30_000,
  }, async () => {
    const before = segments.length;
    const previousStream = segments[0]?.streamId;
    await source.start();
    expect(source.frozen).toBe(false);
    await waitFor(before + 1, 20_000);
    const next = segments[before];
    expect(next?.sequence).toBe(0);
    expect(next?.prevHash).toBe(GENESIS_SEGMENT_HASH);
    expect(next?.streamId).not.toBe(previousStream);
    expect(next?.visitId).toBeUndefined();
    await source.stop();
    expect(readdirSync(root)).toEqual([]);
  });
});

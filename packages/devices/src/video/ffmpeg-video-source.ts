import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { VideoSegment, VideoSource } from "../video-source.js";
import { testPatternArgs } from "./ffmpeg-args.js";
import { findFfmpeg } from "./ffmpeg-path.js";
import { type FfmpegExit, FfmpegProcess } from "./ffmpeg-process.js";
import { FfmpegVideoError } from "./ffmpeg-video-error.js";
import { findFontFile } from "./font-file.js";
import { SegmentChainer } from "./segment-chainer.js";
import { type FinishedSegmentFile, parseSegmentListLine } from "./segment-list.js";

export interface FfmpegVideoSourceOptions {
  /** The camera's device id: part of every segment's chain hash. */
  deviceId: string;
  /** Burnt into the picture, so a viewer knows which camera they are looking at. */
  cameraName: string;
  /** Which ffmpeg to run; found with findFfmpeg(env) when omitted. */
  ffmpegPath?: string;
  /** Where each stream's temp dir is made; the OS temp dir by default. */
  tempRoot?: string;
  /** Environment for finding ffmpeg and for running it; process.env by default. */
  env?: NodeJS.ProcessEnv;
  width?: number;
  height?: number;
  fps?: number;
  segmentSeconds?: number;
  /** Font for the overlay: a file, null for fontconfig's default, or found on disk when omitted. */
  fontFile?: string | null;
  /** How long ffmpeg gets to finish after SIGTERM before SIGKILL. */
  stopTimeoutMs?: number;
  /** Report an error when a running, unfrozen ffmpeg has listed no segment for this long. */
  stallTimeoutMs?: number;
  /** Wall clock, milliseconds since the epoch; injectable for tests. */
  now?: () => number;
  log?: (line: string) => void;
}

/** One recording, from start() to stop(): its own temp dir, sequence numbers and chain. */
interface Stream {
  id: string;
  visitId: string | undefined;
  dir: string;
  ffmpegPath: string;
  chainer: SegmentChainer;
  process: FfmpegProcess | undefined;
  /** Wall-clock time of the current process's first frame: segment offsets count from here. */
  baseMs: number;
  overlay: boolean;
  /** Segments the current process has listed; a font failure can only come before the first. */
  listed: number;
  frozen: boolean;
  stopping: boolean;
  /** Segment deliveries, chained so segments are hashed and emitted in the order ffmpeg lists them. */
  pending: Promise<void>;
  watchdog: NodeJS.Timeout | undefined;
}

const NAME_FILE = "camera-name.txt";

/**
 * A camera's video from ffmpeg: a live test pattern with the camera's name and a running wall
 * clock, H.264 in 2 s MPEG-TS segments. Each finished segment is read, chained (docs/video.md),
 * handed to the listeners and deleted, so the temp dir holds at most the segment being written
 * and the one being read.
 */
export class FfmpegVideoSource implements VideoSource {
  private stream: Stream | undefined;
  private readonly segmentListeners = new Set<(segment: VideoSegment) => void>();
  private readonly errorListeners = new Set<(error: FfmpegVideoError) => void>();
  /** start, stop and restarts run one at a time, so a stop never races a half-made start. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly width: number;
  private readonly height: number;
  private readonly fps: number;
  private readonly segmentSeconds: number;
  private readonly stopTimeoutMs: number;
  private readonly stallTimeoutMs: number;
  private readonly now: () => number;
  private readonly log: (line: string) => void;

  constructor(private readonly options: FfmpegVideoSourceOptions) {
    this.width = options.width ?? 640;
    this.height = options.height ?? 360;
    this.fps = options.fps ?? 10;
    this.segmentSeconds = options.segmentSeconds ?? 2;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 3000;
    this.stallTimeoutMs = options.stallTimeoutMs ?? this.segmentSeconds * 3000 + 5000;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? ((line) => console.error(line));
  }

  /** True from start() until stop() or a crash, frozen or not: a frozen camera looks started. */
  get started(): boolean {
    return this.stream !== undefined && !this.stream.stopping;
  }

  get frozen(): boolean {
    return this.stream?.frozen ?? false;
  }

  /** The running ffmpeg's process id, for tests and diagnostics. */
  get pid(): number | undefined {
    return this.stream?.process?.pid;
  }

  /** Where the current stream's segments are written. */
  get directory(): string | undefined {
    return this.stream?.dir;
  }

  /**
   * Starts a new stream (sequence 0, genesis hash) and resolves once ffmpeg runs. Idempotent: when
   * already streaming, only the visit that later segments are tagged with changes.
   */
  start(visitId?: string): Promise<void> {
    return this.serial(async () => {
      if (this.stream) {
        this.stream.visitId = visitId;
        return;
      }
      const env = this.options.env ?? process.env;
      const ffmpegPath = this.options.ffmpegPath ?? findFfmpeg(env);
      const dir = await mkdtemp(join(this.options.tempRoot ?? tmpdir(), "threshold-video-"));
      const stream: Stream = {
        id: randomUUID(),
        visitId,
        dir,
        ffmpegPath,
        chainer: new SegmentChainer(this.options.deviceId),
        process: undefined,
        baseMs: 0,
        overlay: true,
        listed: 0,
        frozen: false,
        stopping: false,
        pending: Promise.resolve(),
        watchdog: undefined,
      };
      try {
        await writeFile(join(dir, NAME_FILE), this.options.cameraName);
        this.stream = stream;
        await this.spawn(stream);
      } catch (error) {
        this.stream = undefined;
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
    });
  }

  /** Stops ffmpeg (SIGTERM, then SIGKILL), delivers the last segment unless frozen, removes the temp dir. */
  stop(): Promise<void> {
    return this.serial(async () => {
      if (this.stream) await this.discard(this.stream);
    });
  }

  /**
   * The 2017 Cloud Cam attack: the picture stops while everything else looks fine. ffmpeg keeps
   * running and `started` stays true, but no segment reaches the listeners until stop(); finished
   * files are still deleted so disk stays bounded.
   */
  freeze(): void {
    if (this.stream) this.stream.frozen = true;
  }

  /** Segments flow again; the chain goes on from the last delivered one (nothing frozen was chained). */
  unfreeze(): void {
    if (this.stream) this.stream.frozen = false;
  }

  onSegment(listener: (segment: VideoSegment) => void): () => void {
    this.segmentListeners.add(listener);
    return () => this.segmentListeners.delete(listener);
  }

  /** ffmpeg exited or stalled while streaming. Without a listener the error is logged. */
  onError(listener: (error: FfmpegVideoError) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  private async spawn(stream: Stream): Promise<void> {
    const fontFile = this.options.fontFile === undefined ? findFontFile() : this.options.fontFile;
    const args = testPatternArgs({
      width: this.width,
      height: this.height,
      fps: this.fps,
      segmentSeconds: this.segmentSeconds,
      overlay: stream.overlay ? { nameFile: NAME_FILE, fontFile } : undefined,
    });
    const ffmpeg: FfmpegProcess = new FfmpegProcess({
      ffmpegPath: stream.ffmpegPath,
      args,
      cwd: stream.dir,
      env: this.options.env,
      onLine: (line) => this.onLine(stream, ffmpeg, line),
      onExit: (exit) => this.onExit(stream, ffmpeg, exit),
    });
    stream.process = ffmpeg;
    stream.listed = 0;
    await ffmpeg.start();
    // ffmpeg paces frames from here (-re); its startup before the first frame is tens of ms.
    stream.baseMs = this.now();
    this.armWatchdog(stream);
  }

  private onLine(stream: Stream, ffmpeg: FfmpegProcess, line: string): void {
    if (stream.process !== ffmpeg) return;
    const finished = parseSegmentListLine(line);
    if (!finished) {
      this.log(`${this.options.cameraName}: ignoring an unexpected line from ffmpeg: ${line}`);
      return;
    }
    stream.listed += 1;
    this.armWatchdog(stream);
    // Whole milliseconds from rounded ends, so startedAt + durationMs is the next startedAt exactly.
    const startedAt = stream.baseMs + Math.round(finished.startSeconds * 1000);
    const durationMs = Math.round(finished.endSeconds * 1000) - Math.round(finished.startSeconds * 1000);
    stream.pending = stream.pending.then(() => this.deliver(stream, finished, startedAt, durationMs));
  }

  private async deliver(stream: Stream, finished: FinishedSegmentFile, startedAt: number, durationMs: number) {
    const path = join(stream.dir, finished.file);
    try {
      const data = await readFile(path);
      if (stream.frozen) return;
      const chained = stream.chainer.next(data, startedAt, durationMs);
      const segment: VideoSegment = {
        ...chained,
        streamId: stream.id,
        visitId: stream.visitId,
        startedAt,
        durationMs,
        data,
      };
      for (const listener of this.segmentListeners) {
        try {
          listener(segment);
        } catch (error) {
          this.log(`${this.options.cameraName}: a segment listener failed: ${String(error)}`);
        }
      }
    } catch (error) {
      this.report(new FfmpegVideoError(`could not read the finished segment ${finished.file}: ${String(error)}`));
    } finally {
      // Never rejects: `pending` must settle for stop() to finish.
      await rm(path, { force: true }).catch((error: unknown) =>
        this.log(`${this.options.cameraName}: could not delete ${path}: ${String(error)}`),
      );
    }
  }

  private onExit(stream: Stream, ffmpeg: FfmpegProcess, exit: FfmpegExit): void {
    if (stream.process !== ffmpeg || stream.stopping) return;
    clearTimeout(stream.watchdog);
    const said = exit.stderr.join("\n");
    if (stream.overlay && stream.listed === 0 && /font/i.test(said)) {
      // A picture without text is still a witness; no picture because of a font is not.
      this.log(
        `${this.options.cameraName}: drawtext found no usable font (${exit.stderr.at(-1) ?? "no detail"}); recording without the name and clock overlay`,
      );
      stream.overlay = false;
      void this.serial(async () => {
        if (this.stream !== stream || stream.stopping) return;
        try {
          await this.spawn(stream);
        } catch (error) {
          this.report(new FfmpegVideoError(String(error), ffmpeg.stderrLines()));
          await this.discard(stream);
        }
      });
      return;
    }
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    this.report(new FfmpegVideoError(`ffmpeg ${how} while recording`, exit.stderr, exit.code, exit.signal));
    void this.serial(() => this.discard(stream));
  }

  /** Ends a stream whatever state it is in; after this nothing of it is left on disk. */
  private async discard(stream: Stream): Promise<void> {
    if (this.stream !== stream) return;
    stream.stopping = true;
    clearTimeout(stream.watchdog);
    await stream.process?.stop(this.stopTimeoutMs);
    await stream.pending;
    await rm(stream.dir, { recursive: true, force: true });
    this.stream = undefined;
  }

  /** A running ffmpeg that lists nothing is a hang; say so instead of waiting forever. */
  private armWatchdog(stream: Stream): void {
    clearTimeout(stream.watchdog);
    stream.watchdog = setTimeout(() => {
      if (this.stream !== stream || stream.stopping || stream.frozen) return;
      const seconds = Math.round(this.stallTimeoutMs / 1000);
      this.report(
        new FfmpegVideoError(`ffmpeg has produced no segment for ${seconds} s`, stream.process?.stderrLines() ?? []),
      );
    }, this.stallTimeoutMs);
    stream.watchdog.unref();
  }

  private report(error: FfmpegVideoError): void {
    if (this.errorListeners.size === 0) {
      this.log(`${this.options.cameraName}: ${error.message}`);
      return;
    }
    for (const listener of this.errorListeners) {
      try {
        listener(error);
      } catch (thrown) {
        this.log(`${this.options.cameraName}: an error listener failed: ${String(thrown)}`);
      }
    }
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

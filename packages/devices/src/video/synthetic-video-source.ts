import { randomUUID } from "node:crypto";
import type { VideoSegment, VideoSource } from "../video-source.js";
import { mpegTsPacketsFor, syntheticMpegTs } from "./mpeg-ts-packets.js";
import { SegmentChainer } from "./segment-chainer.js";

export interface SyntheticVideoSourceOptions {
  /** The camera's device id: part of every segment's chain hash. */
  deviceId: string;
  /** Length of each segment, and how often one is delivered. Default 2000. */
  segmentMs?: number;
  /** About this many bytes per segment, rounded up to whole MPEG-TS packets (at least 3). Default 1024. */
  segmentBytes?: number;
  /** Wall clock, milliseconds since the epoch; give the server's clock when it is injected. */
  now?: () => number;
}

/**
 * A camera's video without an encoder: chained segments on the real segment cadence, the first one
 * at once, each a minimal MPEG-TS (a PAT, a PMT and packets carrying a marker) so the server's
 * container check accepts it. For tests and benchmarks of everything around video — the upload
 * path, freshness, camera-gated opening, clips — where spawning ffmpeg per camera would only add
 * seconds. The bytes are not playable; FfmpegVideoSource is the real camera.
 */
export class SyntheticVideoSource implements VideoSource {
  private readonly listeners = new Set<(segment: VideoSegment) => void>();
  private readonly segmentMs: number;
  private readonly packets: number;
  private readonly now: () => number;
  private stream: { id: string; chainer: SegmentChainer; nextStart: number; timer: NodeJS.Timeout } | undefined;
  private visitId: string | undefined;
  private frozenSince: number | undefined;

  constructor(private readonly options: SyntheticVideoSourceOptions) {
    this.segmentMs = options.segmentMs ?? 2000;
    this.packets = mpegTsPacketsFor(options.segmentBytes ?? 1024);
    this.now = options.now ?? Date.now;
  }

  get started(): boolean {
    return this.stream !== undefined;
  }

  get frozen(): boolean {
    return this.frozenSince !== undefined;
  }

  async start(visitId?: string): Promise<void> {
    this.visitId = visitId;
    if (this.stream) return;
    const stream = {
      id: randomUUID(),
      chainer: new SegmentChainer(this.options.deviceId),
      // The first segment is the one "just recorded", so a started camera is live at once.
      nextStart: this.now() - this.segmentMs,
      timer: setInterval(() => this.tick(), Math.min(this.segmentMs, 250)),
    };
    stream.timer.unref();
    this.stream = stream;
    this.tick();
  }

  async stop(): Promise<void> {
    if (!this.stream) return;
    clearInterval(this.stream.timer);
    this.stream = undefined;
  }

  /** Segments stop reaching the listeners, as when a camera's picture freezes. */
  freeze(): void {
    this.frozenSince ??= this.now();
  }

  /** Video resumes from now on; what was "recorded" while frozen is lost, the chain continues. */
  unfreeze(): void {
    if (this.stream) this.stream.nextStart = Math.max(this.stream.nextStart, this.now() - this.segmentMs);
    this.frozenSince = undefined;
  }

  onSegment(listener: (segment: VideoSegment) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Delivers every segment whose end has passed; catches up after a stalled event loop. */
  private tick(): void {
    const stream = this.stream;
    if (!stream) return;
    while (stream.nextStart + this.segmentMs <= this.now()) {
      const startedAt = stream.nextStart;
      stream.nextStart += this.segmentMs;
      if (this.frozenSince !== undefined) continue;
      const data = this.bytes(stream.id, startedAt);
      const segment: VideoSegment = {
        ...stream.chainer.next(data, startedAt, this.segmentMs),
        streamId: stream.id,
        visitId: this.visitId,
        startedAt,
        durationMs: this.segmentMs,
        data,
      };
      for (const listener of this.listeners) listener(segment);
    }
  }

  private bytes(streamId: string, startedAt: number): Uint8Array {
    const marker = new TextEncoder().encode(`synthetic ${this.options.deviceId} ${streamId} ${startedAt}`);
    return syntheticMpegTs(marker, this.packets);
  }
}

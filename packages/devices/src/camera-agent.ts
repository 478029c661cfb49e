import type { Timer } from "@threshold/core";
import type { CameraState, CommandMessage } from "@threshold/protocol";
import { type AgentOptions, type CommandOutcome, DeviceAgent } from "./agent.js";
import { SegmentUploader, type SegmentUploaderOptions } from "./video/segment-uploader.js";
import { NoVideoSource, type VideoSegment, type VideoSource } from "./video-source.js";

export interface CameraAgentOptions extends AgentOptions {
  /** Where video comes from; records nothing by default. */
  video?: VideoSource;
  /**
   * Uploads every segment to this Threshold server with the camera's device credentials. Without
   * it the video goes nowhere (tests of the command protocol alone).
   */
  upload?: Omit<SegmentUploaderOptions, "deviceId" | "secret" | "signingKey" | "onRefused">;
  /** The shortest pause between two stream restarts after refused uploads. Default 5 s. */
  restartAfterRefusalMs?: number;
}

/**
 * A witness camera speaking protocol v1. It streams from start() to stop() — the server's live view
 * and the freshness that gates every opening need video before any visit — and a recording command
 * only tags the stream with the visit it witnesses. freeze() simulates the 2017 Cloud Cam attack:
 * the camera stays connected and still believes it streams, but no video leaves it.
 */
export class CameraAgent extends DeviceAgent<CameraState> {
  private readonly video: VideoSource;
  private readonly uploader: SegmentUploader | undefined;
  private stopSegments: (() => void) | undefined;
  /** The newest finished segment: the chain head the camera signs when a recording stops. */
  private head: Pick<VideoSegment, "sequence" | "startedAt" | "durationMs" | "chainHash"> | undefined;
  private readonly stopTracking: () => void;
  private stopErrors: (() => void) | undefined;
  private lastRestart = 0;
  private restarting: Promise<void> | undefined;
  private restartTimer: Timer | undefined;
  private stopped = false;
  private readonly restartAfterRefusalMs: number;

  constructor(options: CameraAgentOptions) {
    super("camera", { recording: false, streaming: true }, options);
    this.video = options.video ?? new NoVideoSource();
    this.restartAfterRefusalMs = options.restartAfterRefusalMs ?? 5_000;
    this.stopTracking = this.video.onSegment(({ sequence, startedAt, durationMs, chainHash }) => {
      this.head = { sequence, startedAt, durationMs, chainHash };
    });
    if (options.upload) {
      this.uploader = new SegmentUploader({
        ...options.upload,
        deviceId: options.identity.deviceId,
        secret: options.identity.mqtt.password,
        signingKey: this.signingKey,
        log: options.upload.log ?? this.log,
        onRefused: () => this.restartStream(),
      });
    }
  }

  /** Segments uploaded, refused by the server, and dropped unsent; zeros without an uploader. */
  get uploads(): { uploaded: number; refused: number; dropped: number } {
    const { uploaded = 0, refused = 0, dropped = 0 } = this.uploader ?? {};
    return { uploaded, refused, dropped };
  }

  override async start(): Promise<void> {
    await super.start();
    if (this.uploader) {
      const uploader = this.uploader;
      this.stopSegments = this.video.onSegment((segment) => uploader.enqueue(segment));
    }
    // A camera whose encoder died would otherwise stay dark until a visit asked it to record —
    // and no visit can, because opening needs live video. So it starts over by itself.
    this.stopErrors = this.video.onError?.((error) => {
      this.log(`${this.identity.name}: video stopped (${error.message}); restarting it`);
      this.restartStream();
    });
    try {
      await this.video.start();
    } catch (error) {
      // Still connected, so the owner sees the camera and the server sees it is not live.
      this.log(`${this.identity.name}: video did not start: ${String(error)}`);
    }
  }

  /** Resolves when every segment delivered so far was uploaded or refused. */
  async uploadsIdle(): Promise<void> {
    await this.restarting;
    await this.uploader?.idle();
  }

  protected override async perform(command: CommandMessage): Promise<CommandOutcome | undefined> {
    switch (command.action) {
      case "record_start":
        return this.startRecording(command.params.visitId);
      case "record_stop":
        return this.stopRecording();
      default:
        return undefined;
    }
  }

  protected override async onStop(): Promise<void> {
    this.stopped = true;
    this.restartTimer?.cancel();
    this.restartTimer = undefined;
    this.stopSegments?.();
    this.stopErrors?.();
    this.stopTracking();
    this.uploader?.close();
    await this.restarting;
    try {
      await this.video.stop();
    } catch (error) {
      this.log(`${this.identity.name}: the video source failed to stop: ${String(error)}`);
    }
  }

  /** The picture stops but the camera stays connected and keeps reporting that it streams. */
  freeze(): void {
    this.video.freeze?.();
  }

  unfreeze(): void {
    this.video.unfreeze?.();
  }

  /** Whether the picture is frozen; always false for a source that cannot freeze (one that films nothing). */
  get frozen(): boolean {
    return this.video.frozen ?? false;
  }

  private async startRecording(visitId: string | undefined): Promise<CommandOutcome> {
    const { recording, visitId: current } = this.state;
    if (recording && current === visitId) return { status: "succeeded" };
    if (recording) this.emitEvent("camera.recording_stopped", { visitId: current ?? null });
    // Tags the running stream (and restarts one that died): no gap in the video at the unlock.
    await this.video.start(visitId);
    this.update({ recording: true, visitId });
    this.emitEvent("camera.recording_started", { visitId: visitId ?? null });
    return { status: "succeeded" };
  }

  private async stopRecording(): Promise<CommandOutcome> {
    const { recording, visitId } = this.state;
    if (!recording) return { status: "succeeded" };
    await this.video.start();
    this.update({ recording: false, visitId: undefined });
    // Signed by the device key: the chain head vouches for every segment of the stream up to it
    // (each hashes its predecessor), so a verifier knows the video came from this camera.
    const head = this.head?.chainHash ? this.head : undefined;
    this.emitEvent("camera.recording_stopped", {
      visitId: visitId ?? null,
      chainHash: head?.chainHash ?? null,
      sequence: head?.sequence ?? null,
      startedAt: head?.startedAt ?? null,
    });
    return { status: "succeeded" };
  }

  /**
   * Starts the stream over: after a refused segment (it breaks the chain for everything after it;
   * the server accepts a new stream after its newest segment) or a failed source. At most once per
   * restartAfterRefusalMs: a server that refuses everything (a wrong clock, say) or an encoder that
   * keeps crashing must not make the camera thrash.
   */
  private restartStream(): void {
    if (this.stopped || this.restarting || this.restartTimer) return;
    const wait = this.lastRestart + this.restartAfterRefusalMs - this.clock.now();
    if (wait > 0) {
      this.restartTimer = this.scheduler.setTimeout(() => {
        this.restartTimer = undefined;
        this.restartStream();
      }, wait);
      return;
    }
    this.lastRestart = this.clock.now();
    const visitId = this.state.visitId;
    this.restarting = (async () => {
      let failed = false;
      try {
        await this.video.stop();
        await this.video.start(visitId);
      } catch (error) {
        failed = true;
        this.log(`${this.identity.name}: video did not restart: ${String(error)}`);
      } finally {
        this.restarting = undefined;
      }
      if (failed) this.restartStream();
    })();
  }
}

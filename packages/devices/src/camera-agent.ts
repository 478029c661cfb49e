import type { CameraState, CommandMessage } from "@threshold/protocol";
import { type AgentOptions, type CommandOutcome, DeviceAgent } from "./agent.js";
import { NoVideoSource, type VideoSource } from "./video-source.js";

export interface CameraAgentOptions extends AgentOptions {
  /** Where video comes from; records nothing by default. */
  video?: VideoSource;
}

/**
 * A witness camera speaking protocol v1. It records on command, tagged with the visit it
 * witnesses. freeze() simulates a camera that is connected but produces no video, the case the
 * server must never mistake for live.
 */
export class CameraAgent extends DeviceAgent<CameraState> {
  private readonly video: VideoSource;

  constructor(options: CameraAgentOptions) {
    super("camera", { recording: false, streaming: true }, options);
    this.video = options.video ?? new NoVideoSource();
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
    if (!this.state.recording) return;
    try {
      await this.video.stop();
    } catch (error) {
      this.log(`${this.identity.name}: the video source failed to stop: ${String(error)}`);
    }
  }

  /** The camera stays connected but its video stops: a frozen image. */
  freeze(): void {
    if (this.state.streaming) this.update({ streaming: false });
  }

  unfreeze(): void {
    if (!this.state.streaming) this.update({ streaming: true });
  }

  private async startRecording(visitId: string | undefined): Promise<CommandOutcome> {
    const { recording, visitId: current } = this.state;
    if (recording && current === visitId) return { status: "succeeded" };
    // A new visit while recording another: close the old recording so each clip names one visit.
    if (recording) await this.stopRecording();
    await this.video.start(visitId);
    this.update({ recording: true, visitId });
    this.emitEvent("camera.recording_started", { visitId: visitId ?? null });
    return { status: "succeeded" };
  }

  private async stopRecording(): Promise<CommandOutcome> {
    const { recording, visitId } = this.state;
    if (!recording) return { status: "succeeded" };
    await this.video.stop();
    this.update({ recording: false, visitId: undefined });
    this.emitEvent("camera.recording_stopped", { visitId: visitId ?? null });
    return { status: "succeeded" };
  }
}

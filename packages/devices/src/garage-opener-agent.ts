import type { Timer } from "@threshold/core";
import type { CommandMessage, GarageDoorPosition, GarageOpenerState } from "@threshold/protocol";
import { type AgentOptions, type CommandOutcome, DeviceAgent, type EventData } from "./agent.js";

export interface GarageOpenerAgentOptions extends AgentOptions {
  /** Seconds the door takes to travel fully open or fully closed. Default 8 (it must end within a command's life). */
  travelS?: number;
  /** Seconds after the door opened fully before it closes by itself; 0 turns auto-close off. Default 0. */
  autoCloseS?: number;
  /** How many real milliseconds a simulated second lasts (see LockAgentOptions.msPerSecond). Default 1000. */
  msPerSecond?: number;
}

/** Where a movement is going, and who waits for it to end. */
interface Motion {
  target: "open" | "closed";
  timer: Timer;
  /** The command that started it, acked when the door comes to rest (none for auto-close or a reversal). */
  settle?: (outcome: CommandOutcome) => void;
}

/**
 * A simulated garage door opener with a safety beam, speaking protocol v1. Starts closed. `open`
 * and `close` are acked when the door has stopped: succeeded at the position asked for, or failed
 * with `obstructed` when the beam was broken and the door went back up — "command acknowledged"
 * and "door observed in place" are one fact here because the opener only answers once it knows.
 * The simulation methods (obstruct, clearObstruction) stand in for the physical world.
 */
export class GarageOpenerAgent extends DeviceAgent<GarageOpenerState> {
  private readonly travelMs: number;
  private readonly msPerSecond: number;
  private motion: Motion | undefined;
  private autoCloseTimer: Timer | undefined;

  constructor(options: GarageOpenerAgentOptions) {
    super(
      "garage_opener",
      {
        door: "closed",
        obstructed: false,
        autoCloseS: wholeNumberIn(options.autoCloseS ?? 0, 0, 3600, "autoCloseS"),
      },
      options,
    );
    this.msPerSecond = options.msPerSecond ?? 1_000;
    const travelS = options.travelS ?? 8;
    if (!(travelS > 0 && travelS <= 60)) throw new RangeError(`travelS must be above 0 and at most 60, not ${travelS}`);
    this.travelMs = travelS * this.msPerSecond;
  }

  protected override async perform(command: CommandMessage): Promise<CommandOutcome | undefined> {
    switch (command.action) {
      case "open":
        return this.openByCommand(command.id);
      case "close":
        return this.closeByCommand(command.id);
      default:
        return undefined;
    }
  }

  protected override onStop(): void {
    this.autoCloseTimer?.cancel();
    this.autoCloseTimer = undefined;
    const motion = this.motion;
    this.motion = undefined;
    if (motion) {
      motion.timer.cancel();
      motion.settle?.({ status: "failed" });
    }
  }

  /** Something (a box, a foot) breaks the safety beam: a closing door reverses to fully open. */
  obstruct(): void {
    if (this.state.obstructed) return;
    this.update({ obstructed: true });
    const reversing = this.motion?.target === "closed";
    this.emitEvent("alarm.obstructed", { reversed: reversing });
    if (reversing) this.reverse();
  }

  clearObstruction(): void {
    if (!this.state.obstructed) return;
    this.update({ obstructed: false });
    // An auto-close that came due while the doorway was blocked waits its full time again: whoever
    // blocked it may still be close by.
    if (this.state.door === "open" && this.state.autoCloseS > 0 && !this.autoCloseTimer) this.scheduleAutoClose();
  }

  private async openByCommand(commandId: string): Promise<CommandOutcome> {
    if (this.state.door === "open") return { status: "succeeded" };
    return this.move("open", { by: "command", commandId });
  }

  private async closeByCommand(commandId: string): Promise<CommandOutcome> {
    if (this.state.door === "closed") return { status: "succeeded" };
    // The opener will not drive a door down onto whatever breaks the beam.
    if (this.state.obstructed) return { status: "failed", reason: "obstructed" };
    return this.move("closed", { by: "command", commandId });
  }

  /** Starts the door towards `target` (taking over any movement under way); resolves when it comes to rest. */
  private move(target: "open" | "closed", data: EventData): Promise<CommandOutcome> {
    this.cancelAutoClose();
    const previous = this.motion;
    if (previous) {
      previous.timer.cancel();
      // A movement overtaken by another did not reach its place.
      previous.settle?.({ status: "failed" });
    }
    const moving: GarageDoorPosition = target === "open" ? "opening" : "closing";
    this.update({ door: moving });
    this.emitEvent(target === "open" ? "garage.opening" : "garage.closing", data);
    return new Promise((settle) => {
      const timer = this.scheduler.setTimeout(() => this.arrive(target, data), this.travelMs);
      this.motion = { target, timer, settle };
    });
  }

  private arrive(target: "open" | "closed", data: EventData): void {
    const motion = this.motion;
    this.motion = undefined;
    this.update({ door: target });
    this.emitEvent(target === "open" ? "garage.opened" : "garage.closed", data);
    if (target === "open") this.scheduleAutoClose();
    motion?.settle?.({ status: "succeeded" });
  }

  /** The beam broke while closing: the close has failed, and the door goes back up by itself. */
  private reverse(): void {
    const motion = this.motion;
    if (!motion) return;
    motion.timer.cancel();
    this.motion = undefined;
    const settle = motion.settle;
    this.update({ door: "opening" });
    this.emitEvent("garage.opening", { by: "reversal" });
    const timer = this.scheduler.setTimeout(() => this.arrive("open", { by: "reversal" }), this.travelMs);
    this.motion = { target: "open", timer };
    settle?.({ status: "failed", reason: "obstructed" });
  }

  private scheduleAutoClose(): void {
    this.cancelAutoClose();
    const { autoCloseS } = this.state;
    if (autoCloseS <= 0) return;
    this.autoCloseTimer = this.scheduler.setTimeout(() => {
      this.autoCloseTimer = undefined;
      // Blocked doorway: wait for it to clear (clearObstruction closes then).
      if (this.state.door !== "open" || this.state.obstructed) return;
      void this.move("closed", { by: "auto_close" });
    }, autoCloseS * this.msPerSecond);
  }

  private cancelAutoClose(): void {
    this.autoCloseTimer?.cancel();
    this.autoCloseTimer = undefined;
  }
}

function wholeNumberIn(value: number, min: number, max: number, name: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be a whole number from ${min} to ${max}, not ${value}`);
  }
  return value;
}

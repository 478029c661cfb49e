import type { CommandMessage, LockState } from "@threshold/protocol";
import { type AgentOptions, type CommandOutcome, DeviceAgent } from "./agent.js";

export interface LockAgentOptions extends AgentOptions {
  /** Seconds after an unlock before the lock relocks by itself; 0 turns auto-relock off. Default 0. */
  autoRelockS?: number;
  /** Battery level at start, in percent. Default 100. */
  battery?: number;
  /** Wrong keypad codes in a row before the keypad locks out. Default 5. */
  wrongCodeLimit?: number;
  /** How long a keypad lockout lasts, in seconds. Default 300. */
  lockoutS?: number;
  /** A door open longer than this, in seconds, raises alarm.ajar. Default 120. */
  ajarAfterS?: number;
  /**
   * How many real milliseconds a simulated second lasts. Default 1000; tests and fast demos
   * shrink it so an auto-relock or a lockout does not take real minutes, while the reported
   * settings (autoRelockS) stay in honest whole seconds.
   */
  msPerSecond?: number;
  /**
   * A lock on a fridge or cooler: the inside temperature at start, in °C. When set, the lock
   * reports `temperatureC` in its state and `temperature.reported` events (docs/garage-and-fridge.md).
   */
  temperatureC?: number;
}

/** A temperature event is sent when the reading has moved this far from the last one sent: no chatter. */
const TEMPERATURE_EVENT_STEP_C = 0.5;

/** Below this the motor may stall half-way, so an unlock is refused rather than risked. */
const MIN_UNLOCK_BATTERY = 5;
/** Crossing below this raises battery.low so the owner changes batteries in time. */
const LOW_BATTERY = 20;

/**
 * A simulated smart lock with a door sensor and a keypad, speaking protocol v1 like real
 * hardware would. Starts locked with the door closed. The simulation methods (openDoor, jam,
 * enterWrongCode…) stand in for the physical world.
 */
export class LockAgent extends DeviceAgent<LockState> {
  private readonly wrongCodeLimit: number;
  private readonly lockoutMs: number;
  private readonly ajarAfterMs: number;
  private readonly msPerSecond: number;
  private wrongCodesInARow = 0;
  private lastTemperatureEventC: number | undefined;
  /** The bolt's position before a jam, where it returns when the jam clears. */
  private positionBeforeJam: "locked" | "unlocked" = "locked";
  /** Auto-relock came due while the door was open: lock as soon as it closes. */
  private relockWhenClosed = false;
  private relockTimer: NodeJS.Timeout | undefined;
  private ajarTimer: NodeJS.Timeout | undefined;
  private lockoutTimer: NodeJS.Timeout | undefined;

  constructor(options: LockAgentOptions) {
    super(
      "lock",
      {
        lock: "locked",
        door: "closed",
        battery: wholeNumberIn(options.battery ?? 100, 0, 100, "battery"),
        autoRelockS: wholeNumberIn(options.autoRelockS ?? 0, 0, 3600, "autoRelockS"),
        lockedOut: false,
        ...(options.temperatureC === undefined ? {} : { temperatureC: celsius(options.temperatureC) }),
      },
      options,
    );
    this.lastTemperatureEventC = options.temperatureC;
    this.wrongCodeLimit = options.wrongCodeLimit ?? 5;
    this.msPerSecond = options.msPerSecond ?? 1_000;
    this.lockoutMs = (options.lockoutS ?? 300) * this.msPerSecond;
    this.ajarAfterMs = (options.ajarAfterS ?? 120) * this.msPerSecond;
  }

  protected override async perform(command: CommandMessage): Promise<CommandOutcome | undefined> {
    switch (command.action) {
      case "unlock":
        return this.unlockByCommand(command.id);
      case "lock":
        return this.lockByCommand(command.id);
      default:
        return undefined;
    }
  }

  protected override onStop(): void {
    clearTimeout(this.relockTimer);
    clearTimeout(this.ajarTimer);
    clearTimeout(this.lockoutTimer);
    this.relockTimer = this.ajarTimer = this.lockoutTimer = undefined;
  }

  /** The door swings open. Opening a door whose bolt is not drawn back means it was forced. */
  openDoor(): void {
    const { door, lock } = this.state;
    if (door === "open") return;
    this.update({ door: "open" });
    this.emitEvent("door.opened");
    if (lock !== "unlocked") this.emitEvent("alarm.forced", { lock });
    this.ajarTimer = setTimeout(() => {
      this.ajarTimer = undefined;
      this.emitEvent("alarm.ajar", { openS: this.ajarAfterMs / this.msPerSecond });
    }, this.ajarAfterMs);
  }

  closeDoor(): void {
    if (this.state.door === "closed") return;
    clearTimeout(this.ajarTimer);
    this.ajarTimer = undefined;
    this.update({ door: "closed" });
    this.emitEvent("door.closed");
    if (this.relockWhenClosed) this.relock();
  }

  /** The bolt sticks; nothing moves it until clearJam(). */
  jam(): void {
    const { lock } = this.state;
    if (lock === "jammed") return;
    this.positionBeforeJam = lock;
    this.update({ lock: "jammed" });
    this.emitEvent("alarm.jammed");
  }

  clearJam(): void {
    if (this.state.lock !== "jammed") return;
    this.update({ lock: this.positionBeforeJam });
    // A relock that came due during the jam could not throw the bolt; an unlocked lock must not stay so forever.
    if (this.positionBeforeJam === "unlocked") this.scheduleRelock();
  }

  setBattery(percent: number): void {
    const battery = wholeNumberIn(percent, 0, 100, "battery");
    const before = this.state.battery;
    if (battery === before) return;
    this.update({ battery });
    if (before >= LOW_BATTERY && battery < LOW_BATTERY) this.emitEvent("battery.low", { battery });
  }

  /** A fridge lock's sensor reads a new inside temperature (°C); a lock without the sensor refuses. */
  setTemperature(temperatureC: number): void {
    if (this.state.temperatureC === undefined) throw new Error("this lock has no temperature sensor (temperatureC)");
    const reading = celsius(temperatureC);
    if (reading === this.state.temperatureC) return;
    this.update({ temperatureC: reading });
    const last = this.lastTemperatureEventC;
    if (last === undefined || Math.abs(reading - last) >= TEMPERATURE_EVENT_STEP_C) {
      this.lastTemperatureEventC = reading;
      this.emitEvent("temperature.reported", { temperatureC: reading });
    }
  }

  /** Someone typed a wrong code on the keypad; too many in a row lock the keypad out for a while. */
  enterWrongCode(): void {
    // A locked-out keypad ignores input, so guesses during a lockout do not extend or count.
    if (this.state.lockedOut) return;
    this.wrongCodesInARow += 1;
    if (this.wrongCodesInARow < this.wrongCodeLimit) return;
    this.wrongCodesInARow = 0;
    this.update({ lockedOut: true });
    this.emitEvent("alarm.wrong_code_limit", {
      attempts: this.wrongCodeLimit,
      lockoutS: this.lockoutMs / this.msPerSecond,
    });
    this.lockoutTimer = setTimeout(() => {
      this.lockoutTimer = undefined;
      this.update({ lockedOut: false });
    }, this.lockoutMs);
  }

  private unlockByCommand(commandId: string): CommandOutcome {
    const { lock, battery } = this.state;
    if (lock === "jammed") return { status: "failed", reason: "jammed" };
    if (battery < MIN_UNLOCK_BATTERY) return { status: "failed", reason: "low_battery" };
    if (lock === "locked") {
      this.update({ lock: "unlocked" });
      this.emitEvent("lock.unlocked", { by: "command", commandId });
    }
    // A successful unlock means whoever is there got in legitimately; earlier typos no longer count.
    this.wrongCodesInARow = 0;
    this.scheduleRelock();
    return { status: "succeeded" };
  }

  private lockByCommand(commandId: string): CommandOutcome {
    const { lock, door } = this.state;
    if (lock === "jammed") return { status: "failed", reason: "jammed" };
    if (door === "open") return { status: "failed", reason: "door_open" };
    this.cancelRelock();
    if (lock === "unlocked") {
      this.update({ lock: "locked" });
      this.emitEvent("lock.locked", { by: "command", commandId });
    }
    return { status: "succeeded" };
  }

  private scheduleRelock(): void {
    this.cancelRelock();
    const { autoRelockS } = this.state;
    if (autoRelockS <= 0) return;
    this.relockTimer = setTimeout(() => {
      this.relockTimer = undefined;
      // Throwing the bolt into an open door frame would leave the door unlockable and unlocked.
      if (this.state.door === "open") this.relockWhenClosed = true;
      else this.relock();
    }, autoRelockS * this.msPerSecond);
  }

  private relock(): void {
    this.relockWhenClosed = false;
    if (this.state.lock !== "unlocked") return;
    this.update({ lock: "locked" });
    this.emitEvent("lock.locked", { by: "auto_relock" });
  }

  private cancelRelock(): void {
    clearTimeout(this.relockTimer);
    this.relockTimer = undefined;
    this.relockWhenClosed = false;
  }
}

/** A reading the protocol can carry, to a tenth of a degree (what fridge sensors resolve). */
function celsius(value: number): number {
  if (!Number.isFinite(value) || value < -50 || value > 100) {
    throw new RangeError(`temperatureC must be from -50 to 100, not ${value}`);
  }
  return Math.round(value * 10) / 10;
}

function wholeNumberIn(value: number, min: number, max: number, name: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be a whole number from ${min} to ${max}, not ${value}`);
  }
  return value;
}

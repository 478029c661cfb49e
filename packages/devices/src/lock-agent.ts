import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { isWeekDaySchedule, type Timer } from "@threshold/core";
import { type CommandMessage, type EventMessage, type LockState, openPin } from "@threshold/protocol";
import { type AgentOptions, type CommandOutcome, DeviceAgent } from "./agent.js";
import { offlineSecretOf } from "./identity.js";
import { Keypad, type KeypadVerdict, OFFLINE_CODE_DEFAULT_SKEW_S } from "./keypad/keypad.js";
import { KeypadStore, type KeypadUser } from "./keypad/keypad-store.js";

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
  /**
   * Where the lock keeps what it must not forget across a reboot — used codes, the wrong-code
   * count, a lockout, uses not yet reported — as `{deviceId}.keypad.json`. Without it the keypad
   * forgets everything when the agent stops (fine for tests that do not reboot).
   */
  dataDir?: string;
  /** How far the lock's clock may be off around an offline code's slot, in seconds. Default 300. */
  offlineSkewS?: number;
}

/** A temperature event is sent when the reading has moved this far from the last one sent: no chatter. */
const TEMPERATURE_EVENT_STEP_C = 0.5;

/** What typing a code on the keypad did. */
export type KeypadResult = KeypadVerdict;

/** How long pin_enable may open a code for at most: the courier is at the door, typing now. */
const MAX_ENABLE_MS = 10 * 60_000;

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
  private lastTemperatureEventC: number | undefined;
  private keypad: Keypad;
  private keypadLoaded = false;
  private readonly dataDir: string | undefined;
  private readonly keypadStore: KeypadStore;
  private readonly offlineSkewS: number;
  /** The bolt's position before a jam, where it returns when the jam clears. */
  private positionBeforeJam: "locked" | "unlocked" = "locked";
  /** Auto-relock came due while the door was open: lock as soon as it closes. */
  private relockWhenClosed = false;
  private relockTimer: Timer | undefined;
  private ajarTimer: Timer | undefined;
  private lockoutTimer: Timer | undefined;

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
    this.offlineSkewS = options.offlineSkewS ?? OFFLINE_CODE_DEFAULT_SKEW_S;
    this.dataDir = options.dataDir;
    this.keypadStore = new KeypadStore(
      options.dataDir ? join(options.dataDir, `${options.identity.deviceId}.keypad.json`) : undefined,
    );
    this.keypad = Keypad.blank(this.keypadOptions());
  }

  /** Loads the keypad's saved state (a lockout in force stays in force), then connects. */
  override async start(): Promise<void> {
    // Loaded once per agent: a reconnection (goOnline) must keep what happened while offline.
    if (!this.keypadLoaded) {
      if (this.dataDir) await mkdir(this.dataDir, { recursive: true, mode: 0o700 });
      this.keypad = await Keypad.open(this.keypadOptions());
      this.keypadLoaded = true;
    }
    this.reflectLockout();
    await super.start();
  }

  protected override async perform(command: CommandMessage): Promise<CommandOutcome | undefined> {
    switch (command.action) {
      case "unlock":
        return this.unlockByCommand(command.id);
      case "lock":
        return this.lockByCommand(command.id);
      case "pin_set":
        return this.pinSet(command);
      case "pin_enable":
        return this.pinEnable(command);
      case "pin_remove":
        if (!command.params.codeId) return { status: "rejected", reason: "malformed" };
        await this.keypad.removeUser(command.params.codeId);
        return { status: "succeeded" };
      case "offline_code_revoke": {
        const { codeId, slot, counter } = command.params;
        if (!codeId || slot === undefined || counter === undefined) return { status: "rejected", reason: "malformed" };
        await this.keypad.revokeOffline(slot, counter);
        return { status: "succeeded" };
      }
      default:
        return undefined;
    }
  }

  /** Uses the keypad could not report while offline go out again on every connection. */
  protected override onConnected(): void {
    for (const event of this.keypad.pendingReports) this.sendReport(event, false);
  }

  /**
   * Someone typed `code` on the keypad and pressed enter. A locked-out keypad refuses everything,
   * the right code too; otherwise a one-time code the server enabled, or an offline code of the
   * current slot not used before, unlocks the door — once. Everything else counts as wrong.
   */
  async enterCode(code: string): Promise<KeypadResult> {
    const verdict = await this.keypad.enter(code, (opened) =>
      this.signEvent(
        "pin.used",
        opened.kind === "offline"
          ? { kind: "offline", slot: opened.slot, counter: opened.counter }
          : { kind: opened.kind, codeId: opened.codeId },
      ),
    );
    if (verdict.result === "refused") {
      await this.keypad.pendingSave;
      this.afterWrongCode(verdict.lockedOut);
      return verdict;
    }
    if (verdict.result !== "opened") return verdict;
    // The use is on disk and queued for the server; now the bolt may move.
    const report = this.keypad.pendingReports.at(-1);
    if (report) this.sendReport(report, true);
    this.unlockByKeypad(verdict);
    return verdict;
  }

  /** Stops, then lets the keypad finish writing down what it was saving (a report the broker just took). */
  override async stop(): Promise<void> {
    await super.stop();
    await this.keypadStore.idle();
  }

  protected override onStop(): void {
    this.relockTimer?.cancel();
    this.ajarTimer?.cancel();
    this.lockoutTimer?.cancel();
    this.relockTimer = this.ajarTimer = this.lockoutTimer = undefined;
  }

  /** The door swings open. Opening a door whose bolt is not drawn back means it was forced. */
  openDoor(): void {
    const { door, lock } = this.state;
    if (door === "open") return;
    this.update({ door: "open" });
    this.emitEvent("door.opened");
    if (lock !== "unlocked") this.emitEvent("alarm.forced", { lock });
    this.ajarTimer = this.scheduler.setTimeout(() => {
      this.ajarTimer = undefined;
      this.emitEvent("alarm.ajar", { openS: this.ajarAfterMs / this.msPerSecond });
    }, this.ajarAfterMs);
  }

  closeDoor(): void {
    if (this.state.door === "closed") return;
    this.ajarTimer?.cancel();
    this.ajarTimer = undefined;
    this.update({ door: "closed" });
    this.emitEvent("door.closed");
    if (this.relockWhenClosed) this.relock();
  }

  /** Someone inside turns the thumb-turn (or presses the keypad's lock button): no network needed. */
  lockByHand(): void {
    const { lock, door } = this.state;
    if (lock !== "unlocked" || door === "open") return;
    this.cancelRelock();
    this.update({ lock: "locked" });
    this.emitEvent("lock.locked", { by: "manual" });
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

  /** Simulation shorthand: someone typed a wrong code (counted at once; saved in the background). */
  enterWrongCode(): void {
    // A locked-out keypad ignores input, so guesses during a lockout do not extend or count.
    if (this.keypad.isLockedOut()) return;
    this.afterWrongCode(this.keypad.countWrong().lockedOut);
  }

  private afterWrongCode(lockedOut: boolean): void {
    if (!lockedOut) return;
    this.emitEvent("alarm.wrong_code_limit", {
      attempts: this.wrongCodeLimit,
      lockoutS: this.lockoutMs / this.msPerSecond,
    });
    this.reflectLockout();
  }

  /** Reports lockedOut while a lockout lasts, and clears it when it ends. */
  private reflectLockout(): void {
    this.lockoutTimer?.cancel();
    this.lockoutTimer = undefined;
    const remaining = this.keypad.lockedOutUntil - this.clock.now();
    if (remaining <= 0) {
      if (this.state.lockedOut) this.update({ lockedOut: false });
      return;
    }
    if (!this.state.lockedOut) this.update({ lockedOut: true });
    this.lockoutTimer = this.scheduler.setTimeout(() => this.reflectLockout(), remaining);
  }

  private async pinSet(command: CommandMessage): Promise<CommandOutcome> {
    const { codeId, pinSealed, validFrom, validUntil } = command.params;
    if (!codeId || !pinSealed || validFrom === undefined || validUntil === undefined || validUntil <= validFrom) {
      return { status: "rejected", reason: "malformed" };
    }
    const rules = keypadUserRules(command.params);
    if (!rules) return { status: "rejected", reason: "malformed" };
    const secret = offlineSecretOf(this.identity);
    const pin = secret ? openPin(secret, this.deviceId, codeId, pinSealed) : null;
    if (pin === null || !/^[0-9]{6,8}$/.test(pin)) return { status: "failed", reason: "bad_code" };
    const stored = await this.keypad.setUser({ codeId, pin, validFrom, validUntil, ...rules });
    if (stored === "duplicate") return { status: "failed", reason: "bad_code" };
    return stored === "ok" ? { status: "succeeded" } : { status: "failed", reason: "unsupported" };
  }

  private async pinEnable(command: CommandMessage): Promise<CommandOutcome> {
    const { codeId, enabledUntil } = command.params;
    if (!codeId || enabledUntil === undefined) return { status: "rejected", reason: "malformed" };
    // A server (or a stolen server key) cannot leave a code open for long: at most MAX_ENABLE_MS.
    const until = Math.min(enabledUntil, this.clock.now() + MAX_ENABLE_MS);
    return (await this.keypad.enableUser(codeId, until))
      ? { status: "succeeded" }
      : { status: "failed", reason: "unknown_code" };
  }

  private sendReport(event: EventMessage, announce: boolean): void {
    this.publishEvent(
      event,
      () => {
        this.keypad.reported(event.id).catch((error: unknown) => this.log(`${this.identity.name}: ${String(error)}`));
      },
      announce,
    );
  }

  private unlockByKeypad(verdict: KeypadVerdict & { result: "opened" }): void {
    const { lock } = this.state;
    if (lock === "locked") {
      this.update({ lock: "unlocked" });
      this.emitEvent("lock.unlocked", {
        by: "keypad",
        ...(verdict.kind === "offline" ? { slot: verdict.slot, counter: verdict.counter } : { codeId: verdict.codeId }),
      });
    }
    this.scheduleRelock();
  }

  private keypadOptions() {
    return {
      clock: this.clock,
      store: this.keypadStore,
      secret: offlineSecretOf(this.options.identity),
      wrongCodeLimit: this.wrongCodeLimit,
      lockoutMs: this.lockoutMs,
      offlineSkewS: this.offlineSkewS,
    };
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
    this.keypad.resetWrongCount().catch((error: unknown) => this.log(`${this.identity.name}: ${String(error)}`));
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
    this.relockTimer = this.scheduler.setTimeout(() => {
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
    this.relockTimer?.cancel();
    this.relockTimer = undefined;
    this.relockWhenClosed = false;
  }
}

/**
 * The user type of a pin_set and what it needs: a week-day schedule its days, hours and zone, an
 * expiring key its duration. Null when the command does not say what it means.
 */
function keypadUserRules(
  params: CommandMessage["params"],
): Pick<KeypadUser, "type" | "schedule" | "expiresAfterUseMs"> | null {
  const type = params.userType ?? "delivery";
  if (type === "week_day_schedule") {
    const schedule = {
      weekDays: params.weekDays,
      startMinute: params.startMinute,
      endMinute: params.endMinute,
      timeZone: params.timeZone,
    };
    return isWeekDaySchedule(schedule) ? { type, schedule } : null;
  }
  if (type === "expiring") {
    return params.expiresAfterUseS === undefined ? null : { type, expiresAfterUseMs: params.expiresAfterUseS * 1000 };
  }
  return { type };
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

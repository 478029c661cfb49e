import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { matchPickupCode, type Timer } from "@threshold/core";
import {
  type CommandMessage,
  type CompartmentReport,
  type EventMessage,
  type LockerControllerState,
  MAX_COMPARTMENTS,
} from "@threshold/protocol";
import { type AgentOptions, type CommandOutcome, DeviceAgent } from "./agent.js";
import { writeFileAtomic } from "./atomic-file.js";
import { offlineSecretOf } from "./identity.js";

export interface LockerControllerAgentOptions extends AgentOptions {
  /** How many compartments the bank has, numbered 1…n. */
  compartments: number;
  /** Where the controller keeps its durable state (deposit counters, used codes, the offline log); memory only when absent. */
  dataDir?: string;
  /** Wrong codes in a row at the keypad before it locks out. Default 5. */
  wrongCodeLimit?: number;
  /** How long a keypad lockout lasts, in simulated seconds. Default 900. */
  lockoutS?: number;
  /** How many real milliseconds a simulated second lasts. Default 1000. */
  msPerSecond?: number;
}

/** What the controller must not forget across a power cut. */
interface DurableState {
  compartments: CompartmentReport[];
  /** "n:deposits" of codes already accepted: each code opens once. */
  usedCodes: string[];
  /** Counter of the offline log: one per pickup allowed with no network. */
  offlineLog: number;
  /** Signed pickup.offline events not yet accepted by the broker. */
  pending: EventMessage[];
}

export type KioskVerdict =
  | { result: "opened"; compartment: number; offline: boolean }
  | { result: "refused"; wrongInARow: number; lockedOut: boolean }
  | { result: "locked_out" };

/**
 * A simulated locker bank controller speaking protocol v1 (docs/lockers.md): one latch, one door
 * sensor and one occupancy sensor per compartment, and a keypad (the kiosk's local input).
 * `compartment_open` is acked once the latch has released (the door springs ajar) or failed with
 * `jammed`. A door closing reports occupancy and, after a deposit, the compartment's new deposit
 * counter, from which the parcel's pickup code is derived: so the controller can check a pickup
 * code with no network, and keeps what it let out in a durable log it reports when back.
 */
export class LockerControllerAgent extends DeviceAgent<LockerControllerState> {
  private readonly file: string | undefined;
  private readonly wrongCodeLimit: number;
  private readonly lockoutMs: number;
  private durable: DurableState;
  private loaded = false;
  private saving: Promise<void> = Promise.resolve();
  private wrongInARow = 0;
  private lockoutTimer: Timer | undefined;
  private readonly jammed = new Set<number>();
  /** Why each open door was opened: a deposit counts only when a courier's door closes on something. */
  private readonly openedFor = new Map<number, string>();

  constructor(options: LockerControllerAgentOptions) {
    const count = options.compartments;
    if (!Number.isInteger(count) || count < 1 || count > MAX_COMPARTMENTS) {
      throw new RangeError(`compartments must be a whole number from 1 to ${MAX_COMPARTMENTS}, not ${count}`);
    }
    const compartments = Array.from({ length: count }, (_, i) => ({
      n: i + 1,
      door: "closed" as const,
      occupied: false,
      jammed: false,
      deposits: 0,
    }));
    super("locker_controller", { compartments, lockedOut: false, offlineLog: 0 }, options);
    // A hundred compartments make a report of several KiB: one per burst of changes is enough.
    this.coalesceStateReports = true;
    this.file = options.dataDir ? join(options.dataDir, `${options.identity.deviceId}.locker.json`) : undefined;
    this.wrongCodeLimit = options.wrongCodeLimit ?? 5;
    this.lockoutMs = (options.lockoutS ?? 900) * (options.msPerSecond ?? 1_000);
    this.durable = { compartments, usedCodes: [], offlineLog: 0, pending: [] };
  }

  /** Loads the durable state once (a reconnection keeps what happened offline), then connects. */
  override async start(): Promise<void> {
    if (!this.loaded && this.file) {
      await mkdir(join(this.file, ".."), { recursive: true, mode: 0o700 });
      try {
        const saved = JSON.parse(await readFile(this.file, "utf8")) as DurableState;
        this.durable = saved;
        this.update({ compartments: saved.compartments, offlineLog: saved.offlineLog });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
    }
    this.loaded = true;
    await super.start();
  }

  protected override async perform(command: CommandMessage): Promise<CommandOutcome | undefined> {
    if (command.action !== "compartment_open") return undefined;
    const n = command.params.compartment;
    if (n === undefined) return { status: "rejected", reason: "malformed" };
    const compartment = this.compartment(n);
    if (!compartment) return { status: "rejected", reason: "unknown_compartment" };
    if (this.jammed.has(n)) {
      this.setCompartment(n, { jammed: true });
      this.emitEvent("alarm.jammed", { compartment: n, commandId: command.id });
      return { status: "failed", reason: "jammed" };
    }
    this.openedFor.set(n, command.params.purpose ?? "deposit");
    await this.release(n, { by: "command", commandId: command.id });
    return { status: "succeeded" };
  }

  /** Sends the pickups made while offline again on every connection, until the broker took them. */
  protected override onConnected(): void {
    for (const event of [...this.durable.pending]) {
      this.publishEvent(
        event,
        () => {
          this.durable.pending = this.durable.pending.filter((p) => p.id !== event.id);
          void this.save();
        },
        false,
      );
    }
  }

  protected override async onStop(): Promise<void> {
    this.lockoutTimer?.cancel();
    this.lockoutTimer = undefined;
    await this.saving;
  }

  // --- The physical world (simulation) ---

  /** Someone puts a parcel into an open compartment. */
  putParcel(n: number): void {
    const c = this.mustBeOpen(n);
    if (!c.occupied) this.setCompartment(n, { occupied: true });
  }

  /** Someone takes everything out of an open compartment. */
  takeParcel(n: number): void {
    const c = this.mustBeOpen(n);
    if (c.occupied) this.setCompartment(n, { occupied: false });
  }

  /** Someone pushes the door shut: the controller reports what the occupancy sensor sees. */
  closeDoor(n: number): void {
    const c = this.compartment(n);
    if (!c || c.door === "closed") return;
    const purpose = this.openedFor.get(n);
    this.openedFor.delete(n);
    const deposited = c.occupied && (purpose === "deposit" || purpose === "return_drop");
    const deposits = deposited ? c.deposits + 1 : c.deposits;
    this.setCompartment(n, { door: "closed", deposits });
    void this.save();
    this.emitEvent("compartment.closed", { compartment: n, occupied: c.occupied, deposits, deposited });
  }

  /** The latch of compartment n sticks from now on: commands to open it fail with `jammed`. */
  jam(n: number): void {
    this.jammed.add(n);
  }

  clearJam(n: number): void {
    this.jammed.delete(n);
    this.setCompartment(n, { jammed: false });
  }

  /**
   * A resident types a pickup code on the bank's own keypad (or shows its QR): checked here,
   * with no network, against the current deposit of every occupied compartment. Each code opens
   * once. While offline, the pickup goes into the durable log first, then the door opens.
   */
  async enterCode(code: string): Promise<KioskVerdict> {
    if (this.state.lockedOut) return { result: "locked_out" };
    const secret = offlineSecretOf(this.identity);
    const candidates = this.durable.compartments
      .filter((c) => c.occupied && c.deposits > 0 && !this.durable.usedCodes.includes(`${c.n}:${c.deposits}`))
      .map((c) => ({ compartment: c.n, depositCounter: c.deposits }));
    const match = secret ? matchPickupCode(secret, code, candidates) : null;
    if (!match) return this.wrongCode();
    this.wrongInARow = 0;
    this.durable.usedCodes = [...this.durable.usedCodes.slice(-999), `${match.compartment}:${match.depositCounter}`];
    const offline = !this.connected;
    if (offline) {
      this.durable.offlineLog += 1;
      const event = this.signEvent("pickup.offline", {
        compartment: match.compartment,
        deposits: match.depositCounter,
        log: this.durable.offlineLog,
        at: this.clock.now(),
      });
      this.durable.pending = [...this.durable.pending, event];
      this.update({ offlineLog: this.durable.offlineLog });
    }
    await this.save();
    this.openedFor.set(match.compartment, "pickup");
    await this.release(match.compartment, { by: "code", deposits: match.depositCounter });
    return { result: "opened", compartment: match.compartment, offline };
  }

  // --- internals ---

  private async release(n: number, data: Record<string, string | number>): Promise<void> {
    this.setCompartment(n, { door: "open", jammed: false });
    this.emitEvent("compartment.opened", { compartment: n, ...data });
  }

  private wrongCode(): KioskVerdict {
    this.wrongInARow += 1;
    const lockedOut = this.wrongInARow >= this.wrongCodeLimit;
    if (lockedOut) {
      this.wrongInARow = 0;
      this.update({ lockedOut: true });
      this.emitEvent("alarm.wrong_code_limit", { attempts: this.wrongCodeLimit });
      this.lockoutTimer = this.scheduler.setTimeout(() => this.update({ lockedOut: false }), this.lockoutMs);
      return { result: "refused", wrongInARow: this.wrongCodeLimit, lockedOut: true };
    }
    return { result: "refused", wrongInARow: this.wrongInARow, lockedOut: false };
  }

  private compartment(n: number): CompartmentReport | undefined {
    return this.durable.compartments.find((c) => c.n === n);
  }

  private mustBeOpen(n: number): CompartmentReport {
    const c = this.compartment(n);
    if (!c) throw new RangeError(`no compartment ${n}`);
    if (c.door !== "open") throw new Error(`compartment ${n} is closed`);
    return c;
  }

  private setCompartment(n: number, change: Partial<CompartmentReport>): void {
    this.durable.compartments = this.durable.compartments.map((c) => (c.n === n ? { ...c, ...change } : c));
    this.update({ compartments: this.durable.compartments });
  }

  /** Writes the durable state; writes queue one after another, so the last one on disk is the newest. */
  private save(): Promise<void> {
    const file = this.file;
    if (!file) return Promise.resolve();
    const snapshot = JSON.stringify(this.durable);
    this.saving = this.saving
      .then(() => writeFileAtomic(file, snapshot))
      .catch((error: unknown) => this.log(`${this.identity.name}: could not save the locker state: ${String(error)}`));
    return this.saving;
  }
}

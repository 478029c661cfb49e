import { readFile } from "node:fs/promises";
import type { KeypadUserType, WeekDaySchedule } from "@threshold/core";
import type { EventMessage } from "@threshold/protocol";
import { writeFileAtomic } from "../atomic-file.js";

/**
 * A keypad user the server programmed (pin_set). A retailer code (`delivery`, the type of users
 * saved before guest keys existed) is disabled until a pin_enable and usable once; a guest key
 * opens by itself by the rules of its Matter user type (docs/guest-keys.md).
 */
export interface KeypadUser {
  codeId: string;
  pin: string;
  type?: KeypadUserType;
  validFrom: number;
  validUntil: number;
  /** delivery: 0 while disabled; pin_enable opens it until this time. */
  enabledUntil: number;
  /** delivery and disposable: used once already. */
  used: boolean;
  schedule?: WeekDaySchedule;
  expiresAfterUseMs?: number;
  /** expiring: when it was first used; its end runs from here. */
  firstUsedAt?: number;
}

/** An offline code already used: (slot, counter) is refused until the slot and its skew have passed. */
export interface UsedOfflineCode {
  slot: number;
  counter: number;
  forgetAfter: number;
}

/** Everything the keypad must not forget across a reboot (docs/offline-codes.md, "what the lock stores"). */
export interface KeypadState {
  v: 1;
  wrongInARow: number;
  /** Epoch ms; the keypad refuses every code before it. 0 when not locked out. */
  lockedOutUntil: number;
  users: KeypadUser[];
  usedOffline: UsedOfflineCode[];
  /** Offline codes withdrawn by offline_code_revoke: refused like used ones until their slot is over. */
  revokedOffline: UsedOfflineCode[];
  /** Signed pin.used events not yet accepted by the broker; sent again on every reconnection. */
  pendingReports: EventMessage[];
}

export function emptyKeypadState(): KeypadState {
  return {
    v: 1,
    wrongInARow: 0,
    lockedOutUntil: 0,
    users: [],
    usedOffline: [],
    revokedOffline: [],
    pendingReports: [],
  };
}

/**
 * Keeps the keypad's state in one JSON file, written atomically (a crash leaves the old or the new
 * file, never half). Saves run one after another; a caller that awaits `save` knows the state as
 * it was at that call is on disk. Without a path it keeps nothing (a lock with no data directory).
 */
export class KeypadStore {
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly path: string | undefined) {}

  /** The saved state, or an empty one the first time. A damaged file is an error, never a reset: a reset would forget used codes. */
  async load(): Promise<KeypadState> {
    if (!this.path) return emptyKeypadState();
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if (error instanceof Error && "code" in error && error.code === "ENOENT") return emptyKeypadState();
      throw error;
    }
    const value = JSON.parse(text) as Partial<KeypadState>;
    if (value.v !== 1 || !Array.isArray(value.users) || !Array.isArray(value.usedOffline)) {
      throw new Error(`keypad state ${this.path} is damaged; it must not be reset silently (it holds used codes)`);
    }
    return { ...emptyKeypadState(), ...value } as KeypadState;
  }

  /** Resolves once every save started so far has finished (or failed). */
  idle(): Promise<void> {
    return this.writing;
  }

  /** Writes a snapshot of `state`; resolves once it is durable. */
  save(state: KeypadState): Promise<void> {
    const path = this.path;
    if (!path) return Promise.resolve();
    const snapshot = `${JSON.stringify(state)}\n`;
    const write = this.writing.then(() => writeFileAtomic(path, snapshot, 0o600));
    this.writing = write.catch(() => undefined);
    return write;
  }
}

import { timingSafeEqual } from "node:crypto";
import {
  type Clock,
  guestCredentialEnd,
  guestCredentialOpens,
  matchOfflineCode,
  OFFLINE_CODE_DEFAULT_SKEW_S,
  offlineSlotBounds,
} from "@threshold/core";
import { emptyKeypadState, type KeypadState, KeypadStore, type KeypadUser } from "./keypad-store.js";

export type KeypadVerdict =
  | { result: "opened"; kind: "online"; codeId: string }
  /** A guest key (docs/guest-keys.md). */
  | { result: "opened"; kind: "guest"; codeId: string }
  | { result: "opened"; kind: "offline"; slot: number; counter: number }
  /**
   * A guest key the lock holds, typed outside its hours (or before its start): "not now". Not a
   * guess, so it does not count towards the lockout, and nothing moves.
   */
  | { result: "not_now"; codeId: string }
  /** Refused without looking at the code: the keypad is locked out until `untilMs`. */
  | { result: "locked_out"; untilMs: number }
  /** Refused; `lockedOut` when this refusal reached the limit. */
  | { result: "refused"; wrongInARow: number; lockedOut: boolean };

export interface KeypadOptions {
  clock: Clock;
  store: KeypadStore;
  /** The lock's pairing secret (32 bytes); without it no offline code and no sealed PIN is accepted. */
  secret: Uint8Array | null;
  wrongCodeLimit: number;
  lockoutMs: number;
  /** Tolerance for the lock's clock around an offline code's slot, in seconds. */
  offlineSkewS: number;
}

/** The most one-time codes a lock holds at once (August allows 240). */
export const MAX_KEYPAD_USERS = 240;

/**
 * The keypad's decisions: which code opens, which is refused, when the keypad locks out. Every
 * decision that must survive a reboot — a code used, a wrong code counted, a lockout begun — is
 * saved before it is acted on, so pulling the power can neither reuse a code nor reset the count.
 */
export class Keypad {
  private constructor(
    private readonly options: KeypadOptions,
    private state: KeypadState,
  ) {}

  static async open(options: KeypadOptions): Promise<Keypad> {
    return new Keypad(options, await options.store.load());
  }

  /** An empty keypad for the time before open() has run; nothing is saved until then. */
  static blank(options: KeypadOptions): Keypad {
    // It must never overwrite the saved state it has not read.
    return new Keypad({ ...options, store: new KeypadStore(undefined) }, emptyKeypadState());
  }

  get lockedOutUntil(): number {
    return this.state.lockedOutUntil;
  }

  isLockedOut(now = this.options.clock.now()): boolean {
    return now < this.state.lockedOutUntil;
  }

  get pendingReports(): KeypadState["pendingReports"] {
    return this.state.pendingReports;
  }

  /**
   * Someone typed `code`. A match is remembered as used, and `report` (the signed pin.used event)
   * queued, in the same durable write, before the verdict lets the bolt move.
   */
  async enter(
    code: string,
    report: (verdict: KeypadVerdict & { result: "opened" }) => KeypadState["pendingReports"][number],
  ): Promise<KeypadVerdict> {
    const now = this.options.clock.now();
    if (this.isLockedOut(now)) return { result: "locked_out", untilMs: this.state.lockedOutUntil };
    this.forgetExpired(now);
    const opened = this.match(code, now);
    if (opened?.result === "not_now") return opened;
    if (!opened) return this.countWrong(now);
    this.state.wrongInARow = 0;
    if (opened.kind === "online" || opened.kind === "guest") {
      const user = this.state.users.find((u) => u.codeId === opened.codeId);
      if (user) markUsed(user, now);
    } else {
      const { endMs } = offlineSlotBounds(opened.slot);
      this.state.usedOffline.push({
        slot: opened.slot,
        counter: opened.counter,
        forgetAfter: endMs + this.options.offlineSkewS * 1000,
      });
    }
    this.state.pendingReports.push(report(opened));
    await this.save();
    return opened;
  }

  /** A wrong code, counted; reaching the limit starts a lockout. Saved before the caller answers. */
  countWrong(now = this.options.clock.now()): KeypadVerdict & { result: "refused" } {
    this.state.wrongInARow += 1;
    const lockedOut = this.state.wrongInARow >= this.options.wrongCodeLimit;
    const wrongInARow = this.state.wrongInARow;
    if (lockedOut) {
      this.state.wrongInARow = 0;
      this.state.lockedOutUntil = now + this.options.lockoutMs;
    }
    const verdict = { result: "refused" as const, wrongInARow, lockedOut };
    const saved = this.save();
    // Whoever awaits pendingSave sees a failed write; nobody awaiting must not crash the process.
    saved.catch(() => undefined);
    this.pendingSave = saved;
    return verdict;
  }

  /** The save started by the last countWrong; enterCode awaits it before answering. */
  pendingSave: Promise<void> = Promise.resolve();

  /** Someone got in legitimately (an unlock by command): earlier typos no longer count. */
  async resetWrongCount(): Promise<void> {
    if (this.state.wrongInARow === 0) return;
    this.state.wrongInARow = 0;
    await this.save();
  }

  /**
   * pin_set: a retailer code (disabled until enabled) or a guest key, valid from `validFrom` until
   * `validUntil`. Another user with the same PIN is refused (`duplicate`): the keypad could not
   * tell them apart. Setting a code again (a retried command) replaces it.
   */
  async setUser(user: Omit<KeypadUser, "enabledUntil" | "used">): Promise<"ok" | "full" | "duplicate"> {
    const others = this.state.users.filter((u) => u.codeId !== user.codeId);
    if (others.length >= MAX_KEYPAD_USERS) return "full";
    if (others.some((u) => sameDigits(u.pin, user.pin))) return "duplicate";
    this.state.users = [...others, { ...user, enabledUntil: 0, used: false }];
    await this.save();
    return "ok";
  }

  /** pin_enable: a retailer code opens until `until` (never past its validity); false for an unknown or used code. */
  async enableUser(codeId: string, until: number): Promise<boolean> {
    const user = this.state.users.find((u) => u.codeId === codeId);
    if (!user || user.used || !isDelivery(user)) return false;
    user.enabledUntil = Math.min(until, user.validUntil);
    await this.save();
    return true;
  }

  /** pin_remove: idempotent, so a retried removal succeeds. */
  async removeUser(codeId: string): Promise<void> {
    const before = this.state.users.length;
    this.state.users = this.state.users.filter((u) => u.codeId !== codeId);
    if (this.state.users.length !== before) await this.save();
  }

  /**
   * offline_code_revoke: the offline code of `slot` and `counter` is refused from now on, until its
   * slot and the skew are over (it could not match after that anyway). Saved before the ack.
   */
  async revokeOffline(slot: number, counter: number): Promise<void> {
    const now = this.options.clock.now();
    this.forgetExpired(now);
    if (this.state.revokedOffline.some((r) => r.slot === slot && r.counter === counter)) return;
    const forgetAfter = offlineSlotBounds(slot).endMs + this.options.offlineSkewS * 1000;
    if (forgetAfter <= now) return;
    this.state.revokedOffline.push({ slot, counter, forgetAfter });
    await this.save();
  }

  /** The broker accepted a queued report: it need not be sent again. */
  async reported(eventId: string): Promise<void> {
    const before = this.state.pendingReports.length;
    this.state.pendingReports = this.state.pendingReports.filter((event) => event.id !== eventId);
    if (this.state.pendingReports.length !== before) await this.save();
  }

  private match(code: string, now: number): (KeypadVerdict & { result: "opened" | "not_now" }) | null {
    if (!/^[0-9]{4,12}$/.test(code)) return null;
    // Every user is compared, in constant time, so timing does not say which code came close.
    let found: KeypadUser | undefined;
    for (const user of this.state.users) {
      if (sameDigits(user.pin, code) && !found) found = user;
    }
    if (found) {
      if (opens(found, now))
        return { result: "opened", kind: isDelivery(found) ? "online" : "guest", codeId: found.codeId };
      return onlyNotNow(found, now) ? { result: "not_now", codeId: found.codeId } : null;
    }
    if (!this.options.secret) return null;
    const offline = matchOfflineCode(this.options.secret, code, now, { skewS: this.options.offlineSkewS });
    if (!offline) return null;
    const spent = [...this.state.usedOffline, ...this.state.revokedOffline].some(
      (u) => u.slot === offline.slot && u.counter === offline.counter,
    );
    return spent ? null : { result: "opened", kind: "offline", ...offline };
  }

  /** Used offline codes can be forgotten once their slot (and its skew) is over: they cannot match any more. */
  private forgetExpired(now: number): void {
    this.state.usedOffline = this.state.usedOffline.filter((u) => u.forgetAfter > now);
    this.state.revokedOffline = this.state.revokedOffline.filter((u) => u.forgetAfter > now);
  }

  private save(): Promise<void> {
    return this.options.store.save(this.state);
  }
}

function isDelivery(user: KeypadUser): boolean {
  return user.type === undefined || user.type === "delivery";
}

function opens(user: KeypadUser, now: number): boolean {
  const type = user.type ?? "delivery";
  if (type === "delivery")
    return !user.used && user.validFrom <= now && now < user.validUntil && now < user.enabledUntil;
  return guestCredentialOpens({ ...user, type }, now);
}

/**
 * A guest key that has not ended and is not used up, refused only by its hours or its start: the
 * holder has the right PIN at the wrong time. A retailer code is never this (disabled is wrong).
 */
function onlyNotNow(user: KeypadUser, now: number): boolean {
  if (isDelivery(user) || user.used) return false;
  const type = user.type ?? "delivery";
  if (type === "delivery") return false;
  return now < guestCredentialEnd({ ...user, type });
}

/** Remembers a use: a one-use code is spent; an expiring key starts its countdown. */
function markUsed(user: KeypadUser, now: number): void {
  if (isDelivery(user) || user.type === "disposable") user.used = true;
  if (user.type === "expiring" && !user.firstUsedAt) user.firstUsedAt = now;
}

function sameDigits(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export { OFFLINE_CODE_DEFAULT_SKEW_S };

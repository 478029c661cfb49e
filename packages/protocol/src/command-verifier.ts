import type { KeyObject } from "node:crypto";
import { type Clock, isId } from "@threshold/core";
import { MAX_CLOCK_AHEAD_MS, MAX_COMMAND_TTL_MS, REPLAY_CACHE_SIZE } from "./limits.js";
import { parseCommand } from "./parse.js";
import type { AckReason, CommandMessage } from "./schemas.js";
import { verifyMessage } from "./signing.js";

export type Verdict = { ok: true; command: CommandMessage } | { ok: false; reason: AckReason; commandId?: string };

/**
 * What a device runs on every byte that arrives on its command topic (DESIGN.md rule 2).
 * Fails closed: anything it cannot prove fresh, addressed to this device and signed by a
 * trusted server key is refused, and the refusal names why.
 */
export class CommandVerifier {
  /** Command id → expiry; a command is remembered until it could no longer be accepted anyway. */
  private readonly seen = new Map<string, number>();
  private readonly bootAt: number;

  constructor(
    private readonly deviceId: string,
    private readonly trustedKeys: () => ReadonlyMap<string, KeyObject>,
    private readonly clock: Clock,
    private readonly cacheSize: number = REPLAY_CACHE_SIZE,
  ) {
    this.bootAt = clock.now();
  }

  verify(payload: Buffer | string): Verdict {
    const parsed = parseCommand(payload);
    if (!parsed.ok) return { ok: false, reason: "malformed", ...commandIdOf(payload) };
    const command = parsed.message;
    const refuse = (reason: AckReason): Verdict => ({ ok: false, reason, commandId: command.id });

    if (command.deviceId !== this.deviceId) return refuse("wrong_device");
    const key = this.trustedKeys().get(command.kid);
    if (!key) return refuse("unknown_key");
    if (!verifyMessage(command, key)) return refuse("bad_signature");

    const now = this.clock.now();
    if (command.expiresAt - command.issuedAt > MAX_COMMAND_TTL_MS || command.expiresAt < command.issuedAt) {
      return refuse("ttl_too_long");
    }
    if (now > command.expiresAt) return refuse("expired");
    if (command.issuedAt > now + MAX_CLOCK_AHEAD_MS) return refuse("not_yet_valid");
    // The replay cache lives in memory; a command issued before this run began may have been
    // executed by the previous run, so it is refused rather than risked. No grace here: a few
    // seconds of it would let a command replayed right after a quick reboot through.
    if (command.issuedAt < this.bootAt) return refuse("expired");

    this.evictExpired(now);
    if (this.seen.has(command.id)) return refuse("replayed");
    if (this.seen.size >= this.cacheSize) return refuse("replay_cache_full");
    this.seen.set(command.id, command.expiresAt);
    return { ok: true, command };
  }

  private evictExpired(now: number): void {
    // Map iteration follows insertion order, which is close to expiry order; stop at the first live one.
    for (const [id, expiresAt] of this.seen) {
      if (expiresAt >= now) break;
      this.seen.delete(id);
    }
  }
}

/** Best effort: name the command in a refusal even when the rest of it is malformed. */
function commandIdOf(payload: Buffer | string): { commandId?: string } {
  try {
    const id = (JSON.parse(payload.toString()) as { id?: unknown }).id;
    return isId("command", id) ? { commandId: id } : {};
  } catch {
    return {};
  }
}

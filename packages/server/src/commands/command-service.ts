import { type Clock, newId } from "@threshold/core";
import {
  type AckMessage,
  type CommandAction,
  type CommandMessage,
  deviceTopic,
  MAX_COMMAND_TTL_MS,
  type Unsigned,
} from "@threshold/protocol";
import type { Transaction } from "kysely";
import type { Logger } from "pino";
import type { Record_ } from "../audit/audit-log.js";
import type { Database } from "../db/schema.js";
import type { BrokerTransport } from "../gateway/broker.js";
import type { Keyring } from "../modules/keys/keyring.js";
import type { CommandRepository, TerminalStatus } from "./command-repository.js";

export interface CommandOutcome {
  id: string;
  status: TerminalStatus;
  reason: string | null;
  ack: AckMessage | null;
}

/** A command in flight: its id at once, its outcome when the device answers or it expires (Seam's action attempt). */
export interface CommandAttempt {
  id: string;
  expiresAt: number;
  outcome: Promise<CommandOutcome>;
}

export interface SendOptions {
  ttlMs?: number;
  /** Sign with an earlier key (rotation commands only). */
  signingKid?: string;
  /** The device's site, when the caller knows it (saves a lookup). */
  siteId?: string | null;
}

/**
 * A signed command stored in its caller's transaction. `publish()` it once that transaction has
 * committed (audit transactions resolve only when durable): never before, so no device acts on a
 * command that a rollback erased.
 */
export interface StagedCommand {
  id: string;
  expiresAt: number;
  publish(): Promise<CommandAttempt>;
}

/**
 * Hears how each command this process published ended, and how long after publishing: the
 * command-to-ack round trip (metrics). Called once per command, never for those cut short by
 * shutdown. `elapsedMs` is wall time (not the injected clock): it measures, it decides nothing.
 */
export type CommandSettledObserver = (action: CommandAction, status: TerminalStatus, elapsedMs: number) => void;

/** How long after expiry we still wait for an ack already on its way. */
const ACK_GRACE_MS = 1_000;

/**
 * Sends signed commands and tracks them to an outcome (DESIGN.md rules 2 and 3, habit 8).
 * The row is written before the message is published (outbox), so no command reaches a device
 * without a record. A command that a crash kept from being published is never published later:
 * its caller is gone, and acting without anyone awaiting the outcome is the unsafe choice.
 */
export class CommandService {
  private readonly waiters = new Map<
    string,
    { resolve: (o: CommandOutcome) => void; timer: NodeJS.Timeout; action: CommandAction; publishedAt: number }
  >();
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    private readonly deps: {
      repository: CommandRepository;
      transport: BrokerTransport;
      keyring: Keyring;
      clock: Clock;
      log: Logger;
      defaultTtlMs: number;
      onSettled?: CommandSettledObserver;
    },
  ) {}

  /** Signs, stores (in its own audited transaction) and publishes a command. */
  async send(
    deviceId: string,
    action: CommandAction,
    params: CommandMessage["params"] = {},
    options: SendOptions = {},
  ): Promise<CommandAttempt> {
    const staged = await this.deps.repository.transaction((trx, record) =>
      this.stage(trx, record, deviceId, action, params, options),
    );
    return staged.publish();
  }

  /**
   * Signs a command and stores it in the caller's transaction, with the state change that decided
   * it: one commit for both. The caller publishes it after the commit.
   */
  async stage(
    trx: Transaction<Database>,
    record: Record_,
    deviceId: string,
    action: CommandAction,
    params: CommandMessage["params"] = {},
    options: SendOptions = {},
  ): Promise<StagedCommand> {
    const { clock, keyring } = this.deps;
    const issuedAt = clock.now();
    const ttl = Math.min(options.ttlMs ?? this.deps.defaultTtlMs, MAX_COMMAND_TTL_MS);
    const kid = options.signingKid ?? keyring.currentKid;
    const unsigned: Unsigned<CommandMessage> = {
      v: 1,
      id: newId("command", issuedAt),
      deviceId,
      kid,
      issuedAt,
      expiresAt: issuedAt + ttl,
      action,
      params,
    };
    const message = options.signingKid ? keyring.signWith(kid, unsigned) : keyring.sign(unsigned);
    if (!message) throw new Error(`no private key for ${kid}`);

    await this.deps.repository.insert(trx, record, {
      ...unsigned,
      params,
      signature: message.sig,
      ...(options.siteId !== undefined ? { siteId: options.siteId } : {}),
    });
    const payload = Buffer.from(JSON.stringify(message));
    const { id, expiresAt } = unsigned;
    return {
      id,
      expiresAt,
      publish: async () => {
        // Waiting starts before publishing: a fast device's ack must find its waiter.
        const outcome = this.await(id, action, expiresAt - clock.now() + ACK_GRACE_MS);
        try {
          await this.deps.transport.publishCommand(deviceTopic(deviceId, "cmd"), payload);
        } catch (err) {
          this.deps.log.error({ err, commandId: id }, "command could not be published");
          await this.finish(id, "failed", "publish_failed");
        }
        return { id, expiresAt, outcome };
      },
    };
  }

  /** Applies an ack whose signature the gateway has verified. */
  async handleAck(ack: AckMessage): Promise<void> {
    const applied = await this.deps.repository.complete(ack, this.deps.clock.now());
    if (!applied) {
      this.deps.log.debug({ commandId: ack.commandId }, "ack for an unknown or closed command ignored");
      return;
    }
    this.settle({ id: ack.commandId, status: ack.status, reason: ack.reason ?? null, ack });
  }

  /**
   * At start and then periodically: commands past expiry (plus grace) that nobody closed — their
   * process crashed, or the ack never came — become timed_out. They are never re-sent.
   */
  async timeOutExpired(): Promise<number> {
    const now = this.deps.clock.now();
    return this.deps.repository.timeOutExpired(now - ACK_GRACE_MS, now);
  }

  startSweeper(intervalMs = 5_000): void {
    this.sweeper = setInterval(() => {
      this.timeOutExpired().catch((err: unknown) => this.deps.log.error({ err }, "command sweep failed"));
    }, intervalMs);
    this.sweeper.unref();
  }

  /** Stops the sweeper; callers still waiting learn their commands timed out. */
  close(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    for (const [id, waiter] of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.resolve({ id, status: "timed_out", reason: "server_stopping", ack: null });
    }
    this.waiters.clear();
  }

  private await(id: string, action: CommandAction, timeoutMs: number): Promise<CommandOutcome> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.finish(id, "timed_out", "no_ack").catch((err: unknown) => this.deps.log.error({ err }, "timeout failed"));
      }, timeoutMs);
      this.waiters.set(id, { resolve, timer, action, publishedAt: performance.now() });
    });
  }

  private async finish(id: string, status: "timed_out" | "failed", reason: string): Promise<void> {
    if (await this.deps.repository.close(id, status, reason, this.deps.clock.now())) {
      this.settle({ id, status, reason, ack: null });
      return;
    }
    // An ack won the race; report what it said.
    const row = await this.deps.repository.get(id);
    if (row && row.status !== "created") {
      this.settle({ id, status: row.status, reason: row.reason, ack: row.ack });
    }
  }

  private settle(outcome: CommandOutcome): void {
    const waiter = this.waiters.get(outcome.id);
    if (!waiter) return;
    clearTimeout(waiter.timer);
    this.waiters.delete(outcome.id);
    this.deps.onSettled?.(waiter.action, outcome.status, performance.now() - waiter.publishedAt);
    waiter.resolve(outcome);
  }
}

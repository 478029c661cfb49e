import { EventEmitter } from "node:events";
import type { Clock } from "@threshold/core";
import {
  type EventMessage,
  type ParseResult,
  parseAck,
  parseEvent,
  parseState,
  parseTopic,
  type StateMessage,
  verifyMessageAsync,
} from "@threshold/protocol";
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { CommandService } from "../commands/command-service.js";
import type { BrokerStatus, DeviceLink } from "../context.js";
import type { Dialect } from "../db/database.js";
import type { Database } from "../db/schema.js";
import type { Keyring } from "../modules/keys/keyring.js";
import type { BrokerTransport } from "./broker.js";
import { DeviceDirectory, type KnownDevice } from "./device-directory.js";
import { DeviceReportWriter } from "./device-reports.js";
import { afterOffline, futureRefusal, stateRefusal } from "./freshness.js";

export interface GatewayEvents {
  /** A verified, newly stored device event. */
  deviceEvent: [EventMessage];
  /** A verified state report (heartbeat or change) or a last will. */
  deviceState: [StateMessage];
  /** A message refused: not JSON, wrong schema, wrong device, bad signature, or a time that gives a replay away. */
  rejected: [{ topic: string; reason: string }];
}

/** How often at most a device that missed a key rotation is sent the catch-up command. */
const ROTATION_CATCH_UP_INTERVAL_MS = 60_000;

/**
 * Where device messages enter the server. Nothing a device sends is believed until it parses,
 * names the device whose topic it came on, and carries that device's valid signature; anything
 * else is dropped and counted, and changes nothing.
 */
export class DeviceGateway extends EventEmitter<GatewayEvents> implements DeviceLink, BrokerStatus {
  readonly directory: DeviceDirectory;
  private readonly reports: DeviceReportWriter;
  private readonly rotationCatchUps = new Map<string, number>();
  /** Messages of one device are handled one after another, in arrival order, whatever the database's pooling. */
  private readonly queues = new Map<string, Promise<void>>();
  rejectedCount = 0;

  constructor(
    private readonly deps: {
      transport: BrokerTransport;
      db: Kysely<Database>;
      dialect: Dialect;
      clock: Clock;
      log: Logger;
      commands: CommandService;
      keyring: Keyring;
      /** How far a device message's `at` may be from the server's clock (DEVICE_MAX_CLOCK_SKEW_S). */
      maxClockSkewMs: number;
    },
  ) {
    super();
    this.directory = new DeviceDirectory(deps.db);
    this.reports = new DeviceReportWriter(deps.db, deps.dialect);
    deps.transport.onInbound((topic, payload) => this.enqueue(topic, payload));
    deps.transport.onDeviceDisconnect((deviceId) => {
      this.reports
        .patch(deviceId, { online: 0 })
        .catch((err: unknown) => deps.log.error({ err }, "cannot mark device offline"));
    });
  }

  status(): ReturnType<BrokerStatus["status"]> {
    return { ...this.deps.transport.status(), mode: this.deps.transport.mode };
  }

  disconnect(deviceId: string): void {
    this.directory.evict(deviceId);
    this.deps.transport.disconnect(deviceId);
  }

  private enqueue(topic: string, payload: Buffer): void {
    const key = parseTopic(topic)?.deviceId ?? "";
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous
      .then(() => this.handle(topic, payload))
      .catch((err: unknown) => this.deps.log.error({ err, topic }, "device message failed"));
    this.queues.set(key, next);
    void next.then(() => {
      if (this.queues.get(key) === next) this.queues.delete(key);
    });
  }

  /** Resolves when every message received so far has been handled (used at shutdown and in tests). */
  async idle(): Promise<void> {
    while (this.queues.size > 0) await Promise.all([...this.queues.values()]);
    await this.reports.idle();
  }

  private async handle(topic: string, payload: Buffer): Promise<void> {
    const address = parseTopic(topic);
    if (!address || address.channel === "cmd") {
      this.reject(topic, "not a device topic");
      return;
    }
    const device = await this.directory.get(address.deviceId);
    if (!device) {
      this.reject(topic, "unknown or removed device");
      return;
    }

    switch (address.channel) {
      case "ack": {
        const ack = await this.verified(topic, device, parseAck(payload));
        // A replayed ack changes nothing either way: only an open command takes an ack (CommandRepository.complete).
        if (ack && this.inTime(topic, futureRefusal(ack.at, this.deps.clock.now(), this.deps.maxClockSkewMs))) {
          await this.deps.commands.handleAck(ack);
        }
        return;
      }
      case "evt": {
        const event = await this.verified(topic, device, parseEvent(payload));
        // Events may come late (queued while offline); a replayed one is the same id, stored once.
        if (event && this.inTime(topic, futureRefusal(event.at, this.deps.clock.now(), this.deps.maxClockSkewMs))) {
          await this.recordEvent(event, payload);
        }
        return;
      }
      case "state": {
        const state = await this.verified(topic, device, parseState(payload));
        if (!state) return;
        const now = this.deps.clock.now();
        if (this.inTime(topic, stateRefusal(device.freshness, state, now, this.deps.maxClockSkewMs))) {
          await this.recordState(device, state);
        }
        return;
      }
    }
  }

  /** The message if it parsed, names this device and is signed by it; null (and counted) otherwise. */
  private async verified<T extends { deviceId: string; sig: string }>(
    topic: string,
    device: KnownDevice,
    parsed: ParseResult<T>,
  ): Promise<T | null> {
    if (!parsed.ok) return this.reject(topic, parsed.error);
    if (parsed.message.deviceId !== device.id) return this.reject(topic, "names another device");
    if (!(await verifyMessageAsync(parsed.message, device.publicKey)))
      return this.reject(topic, "bad device signature");
    return parsed.message;
  }

  /** True when the message's time was not refused; a refusal is counted like any other. */
  private inTime(topic: string, refusal: string | null): boolean {
    if (refusal === null) return true;
    this.reject(topic, refusal);
    return false;
  }

  private reject(topic: string, reason: string): null {
    this.rejectedCount++;
    this.deps.log.warn({ topic, reason }, "device message refused");
    this.emit("rejected", { topic, reason });
    return null;
  }

  private async recordEvent(event: EventMessage, payload: Buffer): Promise<void> {
    const stored = await this.reports.event({
      device_id: event.deviceId,
      id: event.id,
      seq: event.seq,
      type: event.type,
      at: event.at,
      data: JSON.stringify(event.data),
      message: payload.toString(),
      received_at: this.deps.clock.now(),
    });
    // A redelivered event (QoS 1 allows duplicates) is stored once and announced once.
    if (stored) this.emit("deviceEvent", event);
  }

  private async recordState(device: KnownDevice, state: StateMessage): Promise<void> {
    const now = this.deps.clock.now();
    if (!state.online) {
      // The last will was signed at connect time; it says only that the device is gone. Whatever
      // the device signed before it belongs to a connection that is over, and can never mark it
      // offline again.
      device.freshness = afterOffline(device.freshness, state.at);
      await this.reports.patch(device.id, { online: 0, offline_after: device.freshness.offlineAfter });
      this.emit("deviceState", state);
      return;
    }
    device.freshness = { ...device.freshness, stateAt: state.at };
    // The device's messages wait for this write, so a command's ack is applied only after the
    // state the device reported before it is stored: the next scan reads the lock as it is.
    await this.reports.patch(device.id, {
      online: 1,
      last_seen_at: now,
      reported_state: JSON.stringify(state.state),
      firmware: state.firmware,
      trusted_kid: state.trustedKid,
      state_at: state.at,
    });
    this.directory.setTrustedKid(device.id, state.trustedKid);
    this.emit("deviceState", state);
    if (state.trustedKid !== this.deps.keyring.currentKid) await this.catchUpRotation(device.id, state.trustedKid);
  }

  /** A device that was offline during `keys rotate` is told of the new key, signed by the key it still trusts. */
  private async catchUpRotation(deviceId: string, trustedKid: string): Promise<void> {
    const now = this.deps.clock.now();
    const last = this.rotationCatchUps.get(deviceId) ?? 0;
    if (now - last < ROTATION_CATCH_UP_INTERVAL_MS) return;
    this.rotationCatchUps.set(deviceId, now);
    const next = this.deps.keyring.trustedByDevices()[0];
    if (!next) return;
    try {
      await this.deps.commands.send(
        deviceId,
        "rotate_key",
        { newKid: next.kid, newPublicKey: next.publicKey },
        { signingKid: trustedKid },
      );
    } catch (err) {
      this.deps.log.warn({ err, deviceId, trustedKid }, "cannot send key rotation to a device (old key unavailable?)");
    }
  }
}

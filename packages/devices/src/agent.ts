import type { KeyObject } from "node:crypto";
import { type Clock, newId, systemClock } from "@threshold/core";
import {
  type AckMessage,
  type AckReason,
  type CameraState,
  type CommandMessage,
  CommandVerifier,
  connectMqtt,
  deviceTopic,
  type EventMessage,
  type EventType,
  type GarageOpenerState,
  importPrivateKeyPem,
  importPublicKey,
  type LockerControllerState,
  type LockState,
  type StateMessage,
  signMessage,
  type Unsigned,
  type VehicleState,
  waitForConnect,
} from "@threshold/protocol";
import type { IClientOptions, MqttClient } from "mqtt";
import { type AgentKind, type DeviceIdentity, trustedServerKeys } from "./identity.js";

export type EventData = EventMessage["data"];

/** What became of a command the agent accepted; the base class turns it into a signed ack. */
export type CommandOutcome =
  | { status: "succeeded" }
  | { status: "failed"; reason?: AckReason }
  | { status: "rejected"; reason: AckReason };

export interface AgentOptions {
  identity: DeviceIdentity;
  clock?: Clock;
  /** How often the retained state is re-sent so the server can tell the device is alive. Default 30 s. */
  heartbeatMs?: number;
  /** Reported in every state message; at most 32 characters. */
  firmware?: string;
  /** Overrides identity.mqtt.url, e.g. when the broker is reached through another address. */
  brokerUrl?: string;
  /** Pause between reconnection attempts after the broker is lost. Default 1 s. */
  reconnectPeriodMs?: number;
  /** Called with the new identity before a key rotation takes effect; if it throws, the rotation fails. */
  onIdentityChange?: (identity: DeviceIdentity) => void | Promise<void>;
  log?: (line: string) => void;
}

export const DEFAULT_HEARTBEAT_MS = 30_000;
export const DEFAULT_FIRMWARE = "threshold-sim/0.1.0";
const KEEPALIVE_S = 30;
const STOP_GOODBYE_TIMEOUT_MS = 2_000;

type Listener<T> = (value: T) => void;

/**
 * Everything a Threshold device does on the wire, whatever it actuates: connect with its own
 * credentials, verify every command (fail closed), sign every ack, event and state it sends,
 * heartbeat, leave a last will, and follow server key rotation. Subclasses only decide what an
 * accepted command does to their state.
 */
export abstract class DeviceAgent<
  S extends LockState | CameraState | GarageOpenerState | LockerControllerState | VehicleState,
> {
  protected readonly clock: Clock;
  private currentIdentity: DeviceIdentity;
  private trustedKeys: ReadonlyMap<string, KeyObject>;
  private readonly signingKey: KeyObject;
  private readonly verifier: CommandVerifier;
  private readonly topics: { cmd: string; ack: string; evt: string; state: string };
  private reported: S;
  private nextSeq = 0;
  /** The `at` of the last state signed (will and goodbye included): the server refuses one not newer. */
  private lastStateAt = 0;
  private client: MqttClient | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private stopping = false;
  /** Commands run one at a time, in arrival order, so two never interleave on the same state. */
  private commandQueue: Promise<void> = Promise.resolve();
  private lastConnectionError = "";
  private readonly stateListeners = new Set<Listener<S>>();
  private readonly eventListeners = new Set<Listener<EventMessage>>();
  protected readonly log: (line: string) => void;

  protected constructor(
    kind: AgentKind,
    initialState: S,
    protected readonly options: AgentOptions,
  ) {
    const { identity } = options;
    if (identity.kind !== kind) {
      throw new Error(`identity ${identity.name} is a ${identity.kind}, not a ${kind}`);
    }
    this.clock = options.clock ?? systemClock;
    this.log = options.log ?? ((line) => console.error(line));
    this.currentIdentity = identity;
    this.signingKey = importPrivateKeyPem(identity.privateKeyPem).privateKey;
    this.trustedKeys = keyMap(identity);
    this.verifier = new CommandVerifier(identity.deviceId, () => this.trustedKeys, this.clock);
    this.topics = {
      cmd: deviceTopic(identity.deviceId, "cmd"),
      ack: deviceTopic(identity.deviceId, "ack"),
      evt: deviceTopic(identity.deviceId, "evt"),
      state: deviceTopic(identity.deviceId, "state"),
    };
    this.reported = initialState;
  }

  get deviceId(): string {
    return this.currentIdentity.deviceId;
  }

  get identity(): DeviceIdentity {
    return this.currentIdentity;
  }

  /** A copy of the reported state. */
  get state(): S {
    return structuredClone(this.reported);
  }

  /** Calls `listener` with the new state after every change; returns a function that stops it. */
  onStateChange(listener: Listener<S>): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Calls `listener` with every event the device emits (signed, as sent); returns a function that stops it. */
  onEvent(listener: Listener<EventMessage>): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Resolves once connected, subscribed to the command topic and the first state is sent. */
  async start(): Promise<void> {
    if (this.client) throw new Error(`agent ${this.currentIdentity.name} is already started`);
    this.stopping = false;
    const { mqtt } = this.currentIdentity;
    const client = connectMqtt(this.options.brokerUrl ?? mqtt.url, {
      clientId: this.deviceId,
      username: mqtt.username,
      password: mqtt.password,
      // Never a persistent session: a command must not wait in the broker to be delivered later.
      clean: true,
      keepalive: KEEPALIVE_S,
      reconnectPeriod: this.options.reconnectPeriodMs ?? 1_000,
      // We subscribe again ourselves on every connect, before announcing the state (see announce).
      resubscribe: false,
      will: this.lastWill(),
    });
    this.client = client;
    client.on("message", (topic, payload) => this.onMessage(topic, payload));
    client.on("error", (error) => this.logConnectionError(error));
    // The will is fixed at connect time, so rebuild it before each reconnection with today's state and key.
    client.on("reconnect", () => {
      client.options.will = this.lastWill();
    });
    client.on("offline", () => this.log(`${this.currentIdentity.name}: connection to the broker lost, reconnecting`));
    try {
      await waitForConnect(client);
      await this.announce(client);
    } catch (error) {
      this.client = undefined;
      await client.endAsync(true);
      throw error;
    }
    client.on("connect", () => {
      this.lastConnectionError = "";
      this.announce(client).catch((error: unknown) => this.log(`${this.currentIdentity.name}: ${messageOf(error)}`));
    });
    this.heartbeat = setInterval(() => this.publishState(), this.options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
  }

  /** Says goodbye properly (an online:false state, since a clean disconnect fires no will) and clears every timer. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    await this.commandQueue;
    await this.onStop();
    const client = this.client;
    if (!client) return;
    this.client = undefined;
    // A broker that vanished mid-goodbye must not keep the process from stopping.
    const saidGoodbye = client.connected && (await this.sayGoodbye(client));
    await client.endAsync(!saidGoodbye);
  }

  /** Publishes the offline state; false when it did not get through in time. */
  private async sayGoodbye(client: MqttClient): Promise<boolean> {
    const goodbye = client.publishAsync(this.topics.state, JSON.stringify(this.stateMessage(false)), {
      qos: 1,
      retain: true,
    });
    try {
      return await settlesWithin(goodbye, STOP_GOODBYE_TIMEOUT_MS);
    } catch (error) {
      this.log(`${this.currentIdentity.name}: could not send the offline state: ${messageOf(error)}`);
      return false;
    }
  }

  /** What an accepted command does for this kind of device; undefined when the kind does not support it. */
  protected abstract perform(command: CommandMessage): Promise<CommandOutcome | undefined>;

  /** Clears the subclass's own timers and releases what it holds; called by stop(). */
  protected abstract onStop(): void | Promise<void>;

  /** Applies a change to the reported state, republishes it and tells listeners. */
  protected update(change: Partial<S>): void {
    const next = { ...this.reported, ...change };
    // A member set to undefined is gone, not a key with no value: the state must match its schema.
    for (const key of Object.keys(next) as (keyof S)[]) if (next[key] === undefined) delete next[key];
    this.reported = next;
    if (this.coalesceStateReports) this.publishStateSoon();
    else this.publishState();
    for (const listener of this.stateListeners) this.callListener(listener, this.state);
  }

  /**
   * A device with a large state (a locker bank reports every compartment) sends one state report
   * per burst of changes, once the current turn of the event loop is done, instead of one per
   * change: the report is the same, the signatures and bytes are fewer.
   */
  protected coalesceStateReports = false;
  private stateReportDue = false;

  private publishStateSoon(): void {
    if (this.stateReportDue) return;
    this.stateReportDue = true;
    setImmediate(() => {
      this.stateReportDue = false;
      this.publishState();
    });
  }

  /** Signs and sends an event; sequence numbers start at 0 with every run. */
  protected emitEvent(type: EventType, data: EventData = {}): void {
    this.publishEvent(this.signEvent(type, data));
  }

  /** A signed event, not yet sent: for events that must be stored durably before they go out. */
  protected signEvent(type: EventType, data: EventData = {}): EventMessage {
    const at = this.clock.now();
    return signMessage<Unsigned<EventMessage>>(
      { v: 1, deviceId: this.deviceId, id: newId("event", at), seq: this.nextSeq++, at, type, data },
      this.signingKey,
    );
  }

  /**
   * Sends a signed event and tells listeners; `delivered` runs once the broker has accepted it
   * (QoS 1), which never happens while the device is offline.
   */
  protected publishEvent(event: EventMessage, delivered?: () => void, announce = true): void {
    this.publish(this.topics.evt, event, false, delivered);
    if (announce) for (const listener of this.eventListeners) this.callListener(listener, event);
  }

  /** Called after every (re)connection, once commands can arrive and the state is announced. */
  protected onConnected(): void {}

  /** True while connected to the broker. */
  get connected(): boolean {
    return this.client?.connected === true;
  }

  /**
   * Simulates losing the network: the connection is cut without a goodbye, so the broker publishes
   * the last will and the server sees the device offline. The device goes on working locally.
   */
  async goOffline(): Promise<void> {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    const client = this.client;
    this.client = undefined;
    await client?.endAsync(true);
  }

  /** The network is back: connect again as at start. */
  async goOnline(): Promise<void> {
    if (this.client) return;
    await this.start();
  }

  private onMessage(topic: string, payload: Buffer): void {
    if (topic !== this.topics.cmd || this.stopping) return;
    this.commandQueue = this.commandQueue
      .then(() => this.handleCommand(payload))
      .catch((error: unknown) =>
        this.log(`${this.currentIdentity.name}: command handling failed: ${messageOf(error)}`),
      );
  }

  private async handleCommand(payload: Buffer): Promise<void> {
    const verdict = this.verifier.verify(payload);
    if (!verdict.ok) {
      // A refusal changes nothing but the record of it: the device stays as it was.
      if (verdict.commandId) this.ack(verdict.commandId, { status: "rejected", reason: verdict.reason });
      this.emitEvent("command.rejected", { reason: verdict.reason, commandId: verdict.commandId ?? null });
      return;
    }
    let outcome: CommandOutcome;
    try {
      outcome = await this.execute(verdict.command);
    } catch (error) {
      this.log(`${this.currentIdentity.name}: ${verdict.command.action} failed: ${messageOf(error)}`);
      outcome = { status: "failed" };
    }
    this.ack(verdict.command.id, outcome);
  }

  private async execute(command: CommandMessage): Promise<CommandOutcome> {
    switch (command.action) {
      case "ping":
        return { status: "succeeded" };
      case "rotate_key":
        return this.rotateKey(command);
      default:
        return (await this.perform(command)) ?? { status: "rejected", reason: "unsupported" };
    }
  }

  /**
   * Switches trust to the server's new key. The command itself was verified with the current
   * key, so only the key holder can move trust. The new identity is persisted first: a device
   * that rebooted trusting the old key after the server moved on would refuse every command.
   */
  private async rotateKey(command: CommandMessage): Promise<CommandOutcome> {
    const { newKid, newPublicKey } = command.params;
    if (!newKid || !newPublicKey) return { status: "rejected", reason: "malformed" };
    let newKey: KeyObject;
    try {
      newKey = importPublicKey(newPublicKey);
    } catch {
      return { status: "rejected", reason: "malformed" };
    }
    const previousKid = this.currentIdentity.trustedKid;
    const next: DeviceIdentity = {
      ...this.currentIdentity,
      serverKeys: [
        ...this.currentIdentity.serverKeys.filter((key) => key.kid !== newKid),
        { kid: newKid, publicKey: newPublicKey },
      ],
      trustedKid: newKid,
    };
    await this.options.onIdentityChange?.(next);
    this.currentIdentity = next;
    this.trustedKeys = new Map([[newKid, newKey]]);
    this.emitEvent("key.rotated", { kid: newKid, previousKid });
    this.publishState();
    return { status: "succeeded" };
  }

  private ack(commandId: string, outcome: CommandOutcome): void {
    const ack = signMessage<Unsigned<AckMessage>>(
      {
        v: 1,
        deviceId: this.deviceId,
        commandId,
        status: outcome.status,
        ...("reason" in outcome && outcome.reason ? { reason: outcome.reason } : {}),
        at: this.clock.now(),
        state: this.state,
      },
      this.signingKey,
    );
    this.publish(this.topics.ack, ack, false);
  }

  /** Subscribes to the command topic, then announces the state: never announce before commands can arrive. */
  private async announce(client: MqttClient): Promise<void> {
    const grants = await client.subscribeAsync(this.topics.cmd, { qos: 1 });
    if (grants.some((grant) => grant.qos === 128)) {
      throw new Error(`the broker refused the subscription to ${this.topics.cmd}`);
    }
    this.publishState();
    this.onConnected();
  }

  private publishState(): void {
    this.publish(this.topics.state, this.stateMessage(true), true);
  }

  private stateMessage(online: boolean): StateMessage {
    return signMessage<Unsigned<StateMessage>>(
      {
        v: 1,
        deviceId: this.deviceId,
        at: this.nextStateAt(),
        online,
        kind: this.currentIdentity.kind,
        firmware: this.options.firmware ?? DEFAULT_FIRMWARE,
        trustedKid: this.currentIdentity.trustedKid,
        state: this.state,
      },
      this.signingKey,
    );
  }

  /**
   * The server takes a state only if its `at` is newer than the last one it took (a replay is
   * not): two states signed in the same millisecond, or on a clock that stands still, still
   * increase.
   */
  private nextStateAt(): number {
    this.lastStateAt = Math.max(this.clock.now(), this.lastStateAt + 1);
    return this.lastStateAt;
  }

  /** Retained so the server learns the device dropped even if it was not listening at that moment. */
  private lastWill(): NonNullable<IClientOptions["will"]> {
    return {
      topic: this.topics.state,
      payload: Buffer.from(JSON.stringify(this.stateMessage(false))),
      qos: 1,
      retain: true,
    };
  }

  /** QoS 1 and fire-and-forget: mqtt.js keeps the order of what we write, and a lost broker is logged, not fatal. */
  private publish(topic: string, message: object, retain: boolean, delivered?: () => void): void {
    const client = this.client;
    if (!client) return;
    client.publish(topic, JSON.stringify(message), { qos: 1, retain }, (error) => {
      if (error) this.log(`${this.currentIdentity.name}: publish to ${topic} failed: ${error.message}`);
      else delivered?.();
    });
  }

  /** Reconnection attempts fail the same way every second; say it once. */
  private logConnectionError(error: Error): void {
    if (error.message === this.lastConnectionError) return;
    this.lastConnectionError = error.message;
    this.log(`${this.currentIdentity.name}: MQTT error: ${error.message}`);
  }

  private callListener<T>(listener: Listener<T>, value: T): void {
    try {
      listener(value);
    } catch (error) {
      this.log(`${this.currentIdentity.name}: a listener failed: ${messageOf(error)}`);
    }
  }
}

function keyMap(identity: DeviceIdentity): ReadonlyMap<string, KeyObject> {
  return new Map(trustedServerKeys(identity).map((key) => [key.kid, importPublicKey(key.publicKey)]));
}

/** True when `promise` resolves within `ms`, false when it is still pending; rejects if it rejects in time. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

import type { KeyObject } from "node:crypto";
import { newId } from "@threshold/core";
import {
  type AckMessage,
  type CommandAction,
  type CommandMessage,
  connectMqtt,
  deviceTopic,
  type EventMessage,
  type EventType,
  type ParseResult,
  parseAck,
  parseEvent,
  parseState,
  type StateMessage,
  signMessage,
  type Unsigned,
  verifyMessage,
  waitForConnect,
} from "@threshold/protocol";
import type { MqttClient } from "mqtt";
import type { TestDevice } from "./identities.js";

/**
 * Plays the server's side of protocol v1 for one device over a real broker: signs and sends
 * commands, and collects the device's acks, events and states. Anything that fails the schema or
 * the device's signature lands in `problems` instead, so a test can assert there is none.
 */
export class TestGateway {
  readonly acks: AckMessage[] = [];
  readonly events: EventMessage[] = [];
  readonly states: StateMessage[] = [];
  readonly problems: string[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly client: MqttClient,
    private readonly device: TestDevice,
  ) {}

  static async connect(brokerUrl: string, device: TestDevice): Promise<TestGateway> {
    const client = connectMqtt(brokerUrl, { clientId: `test-gateway-${newId("request")}`, reconnectPeriod: 0 });
    await waitForConnect(client);
    const gateway = new TestGateway(client, device);
    client.on("message", (topic, payload) => gateway.receive(topic, payload));
    const { deviceId } = device.identity;
    await client.subscribeAsync(
      [deviceTopic(deviceId, "ack"), deviceTopic(deviceId, "evt"), deviceTopic(deviceId, "state")],
      { qos: 1 },
    );
    return gateway;
  }

  get deviceId(): string {
    return this.device.identity.deviceId;
  }

  /** A fresh, valid, unsigned command for this device; override any member to make it wrong. */
  command(action: CommandAction, overrides: Partial<Unsigned<CommandMessage>> = {}): Unsigned<CommandMessage> {
    const now = Date.now();
    return {
      v: 1,
      id: newId("command", now),
      deviceId: this.deviceId,
      kid: this.device.serverKid,
      issuedAt: now,
      expiresAt: now + 10_000,
      action,
      params: {},
      ...overrides,
    };
  }

  sign(command: Unsigned<CommandMessage>, key: KeyObject = this.device.serverKey.privateKey): CommandMessage {
    return signMessage(command, key);
  }

  /** Publishes raw bytes on the device's command topic, as the server (or an attacker) could. */
  async send(payload: string | Buffer): Promise<void> {
    await this.client.publishAsync(deviceTopic(this.deviceId, "cmd"), payload, { qos: 1 });
  }

  /** Signs, sends and waits for the ack of a command. */
  async request(
    action: CommandAction,
    overrides: Partial<Unsigned<CommandMessage>> = {},
    key?: KeyObject,
  ): Promise<AckMessage> {
    const command = this.sign(this.command(action, overrides), key);
    await this.send(JSON.stringify(command));
    return this.waitForAck(command.id);
  }

  waitForAck(commandId: string): Promise<AckMessage> {
    return this.waitFor(() => this.acks.find((ack) => ack.commandId === commandId), `an ack of ${commandId}`);
  }

  waitForEvent(type: EventType, matches: (event: EventMessage) => boolean = () => true): Promise<EventMessage> {
    return this.waitFor(() => this.events.find((event) => event.type === type && matches(event)), `a ${type} event`);
  }

  /** The first state received at or after index `from` that matches. */
  waitForState(matches: (state: StateMessage) => boolean, from = 0): Promise<StateMessage> {
    return this.waitFor(() => this.states.slice(from).find(matches), "a matching state");
  }

  eventsOfType(type: EventType): EventMessage[] {
    return this.events.filter((event) => event.type === type);
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }

  private waitFor<T>(find: () => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
    const found = find();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = find();
        if (match === undefined) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(match);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; events so far: ${this.events.map((e) => e.type).join(", ")}`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  private receive(topic: string, payload: Buffer): void {
    const { deviceId } = this;
    if (topic === deviceTopic(deviceId, "ack")) this.collect(topic, parseAck(payload), this.acks);
    else if (topic === deviceTopic(deviceId, "evt")) this.collect(topic, parseEvent(payload), this.events);
    else if (topic === deviceTopic(deviceId, "state")) this.collect(topic, parseState(payload), this.states);
    for (const check of [...this.waiters]) check();
  }

  private collect<T extends { sig: string; deviceId: string }>(topic: string, parsed: ParseResult<T>, into: T[]): void {
    if (!parsed.ok) this.problems.push(`${topic}: ${parsed.error}`);
    else if (parsed.message.deviceId !== this.deviceId) this.problems.push(`${topic}: names another device`);
    else if (!verifyMessage(parsed.message, this.device.devicePublicKey)) this.problems.push(`${topic}: bad signature`);
    else into.push(parsed.message);
  }
}

import { connectMqtt, waitForConnect } from "@threshold/protocol";
import type { Logger } from "pino";
import type { BrokerTransport, InboundHandler } from "./broker.js";

export interface ExternalBrokerOptions {
  url: string;
  username: string | null;
  password: string | null;
  log: Logger;
}

// Every server process reads every device message: acks must reach whichever process awaits
// the command, and updates are idempotent. A shared subscription would split them instead.
const INBOUND_TOPICS = ["th/v1/d/+/ack", "th/v1/d/+/evt", "th/v1/d/+/state"];

/**
 * The server as a client of an external broker (Mosquitto, EMQX). That broker must authenticate
 * devices one by one and confine each to its own topics (see docs/operations.md); the server's
 * own account needs to publish on th/v1/d/+/cmd and read the rest.
 */
export async function connectExternalBroker(options: ExternalBrokerOptions): Promise<BrokerTransport> {
  const { log } = options;
  const client = connectMqtt(options.url, {
    clientId: `threshold-server-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
    clean: true,
    keepalive: 30,
    reconnectPeriod: 1000,
    ...(options.username ? { username: options.username } : {}),
    ...(options.password ? { password: options.password } : {}),
  });
  const inbound: InboundHandler[] = [];
  client.on("message", (topic, payload) => {
    for (const handler of inbound) handler(topic, payload);
  });
  client.on("error", (err) => log.warn({ err }, "external MQTT broker error"));
  client.on("connect", () => {
    client.subscribe(INBOUND_TOPICS, { qos: 1 }, (err) => {
      if (err) log.error({ err }, "cannot subscribe to device topics");
    });
  });
  await waitForConnect(client);
  log.info({ url: options.url.replace(/\/\/[^@]*@/, "//") }, "connected to external MQTT broker");
  return {
    mode: "external",
    url: options.url,
    publishCommand: (topic, payload) =>
      new Promise<void>((resolve, reject) =>
        client.publish(topic, payload, { qos: 1, retain: false }, (err) => (err ? reject(err) : resolve())),
      ),
    onInbound: (handler) => inbound.push(handler),
    onDeviceDisconnect: () => {},
    // The external broker takes sessions over out of our sight; docs/operations.md says what to watch there.
    onDeviceTakeover: () => {},
    // The external broker owns connections; revoking the credentials there is what shuts a device out.
    disconnect: () => {},
    // The broker sees device connections, the server does not.
    connectedDevices: () => null,
    status: () => (client.connected ? { ok: true } : { ok: false, detail: "not connected to the MQTT broker" }),
    close: () => client.endAsync(),
  };
}

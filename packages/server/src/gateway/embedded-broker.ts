import net from "node:net";
import { DEVICE_PUBLISH_CHANNELS, deviceTopic, MAX_MESSAGE_BYTES, parseTopic } from "@threshold/protocol";
import { Aedes, type AuthenticateError, type Client } from "aedes";
import type { Logger } from "pino";
import type { BrokerTransport, InboundHandler, SessionTakeover } from "./broker.js";

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  /** Decides whether a device's username (its id) and password are valid. */
  checkCredentials(username: string, password: string): Promise<boolean>;
  log: Logger;
}

// CONNACK return codes of MQTT 3.1.1.
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

function refuse(returnCode: number, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

/**
 * An in-process aedes broker that enforces DESIGN.md rule 7 itself: every client is a device
 * authenticated by its own credentials, uses its id as client id, keeps no session, publishes only
 * on its own ack/evt/state topics and subscribes only to its own cmd topic. The server does not
 * connect as a client: it publishes and listens through aedes' API, which saves a socket hop.
 */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<BrokerTransport> {
  const { log } = options;
  const aedes = await Aedes.createBroker({ id: "threshold-embedded" });
  const inbound: InboundHandler[] = [];
  const disconnects: ((deviceId: string) => void)[] = [];
  const takeovers: ((takeover: SessionTakeover) => void)[] = [];
  const connected = (deviceId: string) =>
    (aedes as unknown as { clients: Record<string, Client | undefined> }).clients[deviceId];

  /**
   * MQTT's rule: a new connection with a connected client id takes the session over (aedes closes
   * the old one once this one is accepted). Kept, but said: a stolen credential uses it to knock
   * the real device off (docs/operations.md).
   */
  const noteTakeover = (client: Client) => {
    const current = connected(client.id);
    if (!current || current === client) return;
    const address = (client.conn as { remoteAddress?: string }).remoteAddress ?? null;
    log.warn({ deviceId: client.id, address }, "a new connection takes over a connected device's session");
    for (const handler of takeovers) handler({ deviceId: client.id, address });
  };

  aedes.preConnect = (_client, packet, callback) => {
    // A persistent session would let the broker queue commands for later delivery (rule 3).
    callback(
      packet.clean ? null : refuse(NOT_AUTHORIZED, "persistent sessions are not allowed"),
      packet.clean === true,
    );
  };

  aedes.authenticate = (client, username, password, callback) => {
    if (!username || !password || client.id !== username) {
      return callback(refuse(BAD_USERNAME_OR_PASSWORD, "connect with client id = username = device id"), false);
    }
    options.checkCredentials(username, password.toString()).then(
      (ok) => {
        if (ok) noteTakeover(client);
        callback(ok ? null : refuse(BAD_USERNAME_OR_PASSWORD, "bad device credentials"), ok);
      },
      (err: unknown) => {
        log.error({ err }, "device authentication failed");
        callback(refuse(NOT_AUTHORIZED, "authentication unavailable"), false);
      },
    );
  };

  aedes.authorizePublish = (client, packet, callback) => {
    if (!client) return callback(new Error("no client")); // stale last wills of gone clients
    const parsed = parseTopic(packet.topic);
    const allowed =
      parsed !== null &&
      parsed.deviceId === client.id &&
      DEVICE_PUBLISH_CHANNELS.includes(parsed.channel) &&
      (packet.retain !== true || parsed.channel === "state") &&
      packet.payload.length <= MAX_MESSAGE_BYTES;
    if (!allowed) log.warn({ deviceId: client.id, topic: packet.topic }, "device publish refused");
    callback(allowed ? null : new Error(`not allowed to publish on ${packet.topic}`));
  };

  aedes.authorizeSubscribe = (client, subscription, callback) => {
    const own = client ? deviceTopic(client.id, "cmd") : null;
    if (subscription.topic !== own) {
      log.warn({ deviceId: client?.id, topic: subscription.topic }, "device subscription refused");
      return callback(null, null); // SUBACK 0x80, and the connection stays up
    }
    callback(null, subscription);
  };

  // Devices never receive each other's messages, nor anything from the server but commands.
  aedes.authorizeForward = (client, packet) => (packet.topic === deviceTopic(client.id, "cmd") ? packet : null);

  aedes.on("publish", (packet, client: Client | null) => {
    if (!client) return; // the server's own commands
    for (const handler of inbound) handler(packet.topic, packet.payload as Buffer);
  });
  aedes.on("clientDisconnect", (client) => {
    for (const handler of disconnects) handler(client.id);
  });

  const server = net.createServer({ noDelay: true }, aedes.handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;
  const urlHost = options.host === "0.0.0.0" ? "127.0.0.1" : options.host;
  log.info({ port: address.port }, "embedded MQTT broker listening");

  return {
    mode: "embedded",
    url: `mqtt://${urlHost}:${address.port}`,
    publishCommand: (topic, payload) =>
      new Promise<void>((resolve, reject) => {
        aedes.publish({ cmd: "publish", topic, payload, qos: 1, retain: false, dup: false }, (err?: Error | null) =>
          err ? reject(err) : resolve(),
        );
      }),
    onInbound: (handler) => inbound.push(handler),
    onDeviceDisconnect: (handler) => disconnects.push(handler),
    onDeviceTakeover: (handler) => takeovers.push(handler),
    disconnect: (deviceId) => {
      connected(deviceId)?.close();
    },
    // Every client of this broker is a device that authenticated (the server itself is not a client).
    connectedDevices: () => aedes.connectedClients,
    status: () => (aedes.closed ? { ok: false, detail: "broker closed" } : { ok: true }),
    close: async () => {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

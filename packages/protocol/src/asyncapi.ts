import type { SignedExample } from "./example-messages.js";
import { schemaFileName } from "./json-schema.js";
import { MAX_COMMAND_TTL_MS, MAX_MESSAGE_BYTES } from "./limits.js";
import { MESSAGE_KIND_INFO, MESSAGE_KINDS, type MessageKind } from "./message-kinds.js";
import { TOPIC_ROOT } from "./topics.js";

/**
 * The AsyncAPI 3.0 document of protocol v1, written from the device's side: the device receives
 * commands and sends acks, events and state. The server's side is the mirror image. Message
 * payloads point at the generated JSON Schema files and the examples are copied in, so neither
 * can drift from schemas.ts or from docs/protocol/examples/.
 */

const MQTT_BINDING_VERSION = "0.2.0";
/** The keepalive the reference agents in packages/devices use; the broker drops a silent device after 1.5 times this. */
const KEEPALIVE_S = 30;

const CHANNEL_NAMES: Record<MessageKind, string> = {
  command: "commands",
  ack: "acks",
  event: "events",
  state: "state",
};

interface ChannelDoc {
  title: string;
  description: string;
  operationId: string;
  action: "send" | "receive";
  operationSummary: string;
  retain: boolean;
}

const CHANNEL_DOCS: Record<MessageKind, ChannelDoc> = {
  command: {
    title: "Commands to one device",
    description: [
      "Signed commands from the server. Only the server may publish here; the device subscribes to",
      "its own command topic and nothing else. QoS 1 and never retained: a command must not wait in",
      `the broker to be delivered after it expired (at most ${MAX_COMMAND_TTL_MS / 1000} s after it was issued).`,
      'Verify every command before acting (README, "Verifying a command") and fail closed.',
    ].join("\n"),
    operationId: "receiveCommand",
    action: "receive",
    operationSummary: "Receive a signed command, verify it, act on it or refuse it, and answer with an ack.",
    retain: false,
  },
  ack: {
    title: "Command results",
    description: [
      "One signed ack per command the device received and could name: succeeded, failed (it tried",
      "and could not) or rejected (it refused). QoS 1, never retained.",
    ].join("\n"),
    operationId: "sendAck",
    action: "send",
    operationSummary: "Report the result of one command.",
    retain: false,
  },
  event: {
    title: "Device events",
    description: [
      "Signed facts as they happen: lock and door changes, alarms, battery, refused commands,",
      "recording and key rotation. QoS 1, never retained.",
    ].join("\n"),
    operationId: "sendEvent",
    action: "send",
    operationSummary: "Report something that happened on the device.",
    retain: false,
  },
  state: {
    title: "Reported state",
    description: [
      "The device's signed, retained state: sent after subscribing on every connect, on every change",
      "and as a heartbeat (every 30 s by default). The last will, set when connecting, is the device's",
      "current state message with online: false, signed then (example state.last-will), so the retained",
      "state says the device is gone when the broker loses it.",
    ].join("\n"),
    operationId: "sendState",
    action: "send",
    operationSummary: "Publish the reported state (retained), on change and as a heartbeat.",
    retain: true,
  },
};

const MESSAGE_SUMMARIES: Record<MessageKind, string> = {
  command: "A signed instruction from the server to one device.",
  ack: "The device's signed result of one command.",
  event: "A device-signed fact.",
  state: "Retained, device-signed reported state.",
};

export function buildAsyncApi(examples: readonly SignedExample[]): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};

  for (const kind of MESSAGE_KINDS) {
    const doc = CHANNEL_DOCS[kind];
    const channelName = CHANNEL_NAMES[kind];
    const channelRef = { $ref: `#/channels/${channelName}` };
    const messageRef = { $ref: `#/channels/${channelName}/messages/${kind}` };
    channels[channelName] = {
      address: `${TOPIC_ROOT}/{deviceId}/${MESSAGE_KIND_INFO[kind].channel}`,
      title: doc.title,
      description: doc.description,
      parameters: { deviceId: { $ref: "#/components/parameters/deviceId" } },
      messages: { [kind]: { $ref: `#/components/messages/${kind}` } },
    };
    operations[doc.operationId] = {
      action: doc.action,
      channel: channelRef,
      summary: doc.operationSummary,
      messages: [messageRef],
      bindings: { mqtt: { qos: 1, retain: doc.retain, bindingVersion: MQTT_BINDING_VERSION } },
      ...(kind === "command"
        ? { reply: { channel: { $ref: "#/channels/acks" }, messages: [{ $ref: "#/channels/acks/messages/ack" }] } }
        : {}),
    };
    messages[kind] = {
      name: kind,
      title: MESSAGE_KIND_INFO[kind].title,
      summary: MESSAGE_SUMMARIES[kind],
      contentType: "application/json",
      ...correlation(kind),
      payload: { $ref: `./schemas/${schemaFileName(kind)}` },
      examples: examples
        .filter((example) => example.kind === kind)
        .map((example) => ({ name: example.name, summary: example.summary, payload: example.message })),
    };
  }

  return {
    asyncapi: "3.0.0",
    id: "urn:threshold:protocol:v1",
    info: {
      title: "Threshold device protocol",
      version: "1.0.0",
      description: [
        "How a device (lock, camera, and more to come) talks to Threshold over MQTT 3.1.1 with signed JSON.",
        "Written from the device's side: it receives commands and sends acks, events and state.",
        "Read docs/protocol/README.md first: connection, signing, the checks a device must run on",
        "every command, key rotation and pairing are explained there.",
      ].join("\n"),
      license: { name: "Apache-2.0", url: "https://www.apache.org/licenses/LICENSE-2.0" },
    },
    defaultContentType: "application/json",
    servers: {
      production: {
        host: "{broker}",
        protocol: "secure-mqtt",
        protocolVersion: "3.1.1",
        title: "Threshold's MQTT broker over TLS",
        description: [
          "The broker named by `mqtt.url` in the pairing result. Use TLS (mqtts://, port 8883 by default)",
          "everywhere but a development machine. One connection per device: client id = username = device id,",
          "password = the device secret from pairing, clean session only, and the last will on the device's",
          `own state topic. Messages larger than ${MAX_MESSAGE_BYTES} bytes are refused.`,
        ].join("\n"),
        variables: {
          broker: { description: "host:port from the pairing result's mqtt.url.", examples: ["mqtt.example.com:8883"] },
        },
        security: [{ $ref: "#/components/securitySchemes/deviceCredentials" }],
        bindings: { mqtt: SERVER_BINDING },
      },
      development: {
        host: "localhost:1884",
        protocol: "mqtt",
        protocolVersion: "3.1.1",
        title: "The broker embedded in `threshold serve`",
        description: "Plain MQTT for development and demos. It enforces the same rules as a production broker.",
        security: [{ $ref: "#/components/securitySchemes/deviceCredentials" }],
        bindings: { mqtt: SERVER_BINDING },
      },
    },
    channels,
    operations,
    components: {
      parameters: {
        deviceId: {
          description: [
            "The device's id from pairing: `dev_` then 26 characters of 0-9 and a-z without i, l, o and u",
            "(Crockford base32). Each device may use only the topics under its own id.",
          ].join("\n"),
          examples: [...new Set(examples.map((example) => example.message.deviceId))],
        },
      },
      securitySchemes: {
        deviceCredentials: {
          type: "userPassword",
          description: "Username = the device id, password = the device secret handed out once at pairing.",
        },
      },
      messages,
    },
  };
}

/**
 * The binding's `lastWill.message` is one fixed string, but every device's will is its own signed
 * state message (example state.last-will), so it is left out here and described on the state channel.
 */
const SERVER_BINDING = {
  cleanSession: true,
  keepAlive: KEEPALIVE_S,
  lastWill: { topic: `${TOPIC_ROOT}/{deviceId}/state`, qos: 1, retain: true },
  bindingVersion: MQTT_BINDING_VERSION,
};

/** Acks answer commands: the command's `id` comes back as the ack's `commandId`. */
function correlation(kind: MessageKind): Record<string, unknown> {
  if (kind === "command") {
    return { correlationId: { description: "The command id, echoed by its ack.", location: "$message.payload#/id" } };
  }
  if (kind === "ack") {
    return {
      correlationId: { description: "The id of the command answered.", location: "$message.payload#/commandId" },
    };
  }
  return {};
}

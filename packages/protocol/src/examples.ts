import type { KeyObject } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { isMessageKind, MESSAGE_KIND_INFO, type MessageKind, type MessageOfKind } from "./message-kinds.js";
import { PROTOCOL_EXAMPLES_DIR, type ProtocolTestKeys } from "./test-keys.js";

export type { MessageKind, MessageOfKind } from "./message-kinds.js";
export * from "./test-keys.js";

/** One published example message: `payload` is the file as it is, `message` the parsed value. */
export type ProtocolExample = {
  [K in MessageKind]: { name: string; kind: K; file: string; payload: string; message: MessageOfKind[K] };
}[MessageKind];
export type ProtocolExampleOf<K extends MessageKind> = Extract<ProtocolExample, { kind: K }>;

/**
 * The examples in docs/protocol/examples/, by name ("command.unlock" from command.unlock.json).
 * The part of the name before the first dot says which message it is. Each file is parsed with
 * that message's parser; one that does not parse is an error here, so a contract test built on
 * this never runs against a broken example. Signatures are left for the caller to check.
 */
export function loadProtocolExamples(dir: string = PROTOCOL_EXAMPLES_DIR): ReadonlyMap<string, ProtocolExample> {
  const examples = new Map<string, ProtocolExample>();
  const files = readdirSync(dir)
    .filter((name) => name.endsWith(".json"))
    .sort();
  for (const file of files) {
    const name = file.slice(0, -".json".length);
    const kind = name.split(".")[0] ?? "";
    if (!isMessageKind(kind)) throw new Error(`${file}: the name must start with command., ack., event. or state.`);
    const payload = readFileSync(path.join(dir, file), "utf8");
    const parsed = MESSAGE_KIND_INFO[kind].parse(payload);
    if (!parsed.ok) throw new Error(`${file} is not a valid ${kind} message: ${parsed.error}`);
    examples.set(name, { name, kind, file, payload, message: parsed.message } as ProtocolExample);
  }
  return examples;
}

/** The example called `name`, which must be a message of `kind`; throws otherwise, so tests fail loudly. */
export function getProtocolExample<K extends MessageKind>(
  examples: ReadonlyMap<string, ProtocolExample>,
  kind: K,
  name: string,
): ProtocolExampleOf<K> {
  const example = examples.get(name);
  if (!example) throw new Error(`no protocol example ${name}; have ${[...examples.keys()].join(", ")}`);
  if (example.kind !== kind) throw new Error(`protocol example ${name} is a ${example.kind}, not a ${kind}`);
  return example as ProtocolExampleOf<K>;
}

/**
 * The public key whose signature an example must carry: the server key named by `kid` for a
 * command, the sending device's own key for everything else. Undefined when the test keys have none.
 */
export function exampleSignerKey(example: ProtocolExample, keys: ProtocolTestKeys): KeyObject | undefined {
  if (example.kind === "command") {
    const server = [keys.server, keys.nextServer].find((key) => key.kid === example.message.kid);
    return server?.pair.publicKey;
  }
  return keys.devices.get(example.message.deviceId)?.pair.publicKey;
}

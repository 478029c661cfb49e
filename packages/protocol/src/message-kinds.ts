import type { TSchema } from "typebox";
import { type ParseResult, parseAck, parseCommand, parseEvent, parseState } from "./parse.js";
import { AckMessage, CommandMessage, EventMessage, StateMessage } from "./schemas.js";
import type { Channel } from "./topics.js";

/** The four messages of protocol v1, one per channel. */
export const MESSAGE_KINDS = ["command", "ack", "event", "state"] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

export interface MessageOfKind {
  command: CommandMessage;
  ack: AckMessage;
  event: EventMessage;
  state: StateMessage;
}

interface KindInfo<K extends MessageKind> {
  schema: TSchema;
  title: string;
  channel: Channel;
  parse: (payload: Buffer | string) => ParseResult<MessageOfKind[K]>;
}

/** One table so the docs, the examples and the tests cannot pair a message with the wrong schema or topic. */
export const MESSAGE_KIND_INFO: { readonly [K in MessageKind]: KindInfo<K> } = {
  command: { schema: CommandMessage, title: "Command", channel: "cmd", parse: parseCommand },
  ack: { schema: AckMessage, title: "Ack", channel: "ack", parse: parseAck },
  event: { schema: EventMessage, title: "Event", channel: "evt", parse: parseEvent },
  state: { schema: StateMessage, title: "State", channel: "state", parse: parseState },
};

export function isMessageKind(value: string): value is MessageKind {
  return (MESSAGE_KINDS as readonly string[]).includes(value);
}

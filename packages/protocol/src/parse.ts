import type { TSchema } from "typebox";
import { Compile } from "typebox/compile";
import { MAX_MESSAGE_BYTES } from "./limits.js";
import { AckMessage, CommandMessage, EventMessage, StateMessage } from "./schemas.js";

export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: string };

function parser<T>(schema: TSchema) {
  const validator = Compile(schema);
  return (payload: Buffer | string): ParseResult<T> => {
    const size = typeof payload === "string" ? Buffer.byteLength(payload) : payload.length;
    if (size > MAX_MESSAGE_BYTES) return { ok: false, error: `message of ${size} bytes exceeds ${MAX_MESSAGE_BYTES}` };
    let value: unknown;
    try {
      value = JSON.parse(payload.toString());
    } catch {
      return { ok: false, error: "not JSON" };
    }
    if (!validator.Check(value)) {
      const first = [...validator.Errors(value)][0];
      return {
        ok: false,
        error: first ? `${first.instancePath || "/"} ${first.message}` : "does not match the schema",
      };
    }
    return { ok: true, message: value as T };
  };
}

/** Parsers for untrusted bytes off the wire: size, JSON and schema, never a throw. Signatures are checked separately. */
export const parseCommand = parser<CommandMessage>(CommandMessage);
export const parseAck = parser<AckMessage>(AckMessage);
export const parseEvent = parser<EventMessage>(EventMessage);
export const parseState = parser<StateMessage>(StateMessage);

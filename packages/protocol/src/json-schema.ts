import type { TSchema } from "typebox";
import { MESSAGE_KIND_INFO, MESSAGE_KINDS, type MessageKind } from "./message-kinds.js";

export const JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema";

/**
 * Base of the schemas' `$id`s. A URN rather than a URL: Threshold has no canonical host, and an
 * `$id` must never change once published, so it names the schema without promising a download.
 */
export const SCHEMA_ID_BASE = "urn:threshold:protocol:v1:";

export type JsonSchemaDocument = { $schema: string; $id: string; title: string } & Record<string, unknown>;

/**
 * A TypeBox schema as a standalone JSON Schema document. TypeBox 1.x schemas are already plain
 * JSON Schema; the JSON round trip drops anything that is not JSON (functions, symbol-keyed
 * metadata) so the file holds exactly what a validator in another language would see.
 */
export function toJsonSchema(schema: TSchema, meta: { id: string; title: string }): JsonSchemaDocument {
  const { description, ...rest } = JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
  return {
    $schema: JSON_SCHEMA_DIALECT,
    $id: meta.id,
    title: meta.title,
    ...(description === undefined ? {} : { description }),
    ...rest,
  };
}

/** File name of a message's schema in docs/protocol/schemas/. */
export function schemaFileName(kind: MessageKind): string {
  return `${kind}.schema.json`;
}

/** The JSON Schema of every protocol message, generated from schemas.ts so the docs cannot drift. */
export function protocolJsonSchemas(): Record<MessageKind, JsonSchemaDocument> {
  const entries = MESSAGE_KINDS.map((kind) => {
    const { schema, title } = MESSAGE_KIND_INFO[kind];
    return [kind, toJsonSchema(schema, { id: `${SCHEMA_ID_BASE}${kind}`, title: `Threshold protocol v1: ${title}` })];
  });
  return Object.fromEntries(entries) as Record<MessageKind, JsonSchemaDocument>;
}

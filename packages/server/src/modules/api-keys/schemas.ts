import { API_KEY_SCOPES } from "@threshold/core";
import type { Selectable } from "kysely";
import Type, { type Static } from "typebox";
import type { Database } from "../../db/schema.js";
import { Time } from "../../http/schema-types.js";

const Scope = Type.Enum(API_KEY_SCOPES, { description: "What the key may do." });

export const CreateApiKeyBody = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 100,
      pattern: "\\S",
      description: "Says where the key is used, e.g. 'warehouse scanner'.",
    }),
    scopes: Type.Array(Scope, { minItems: 1, maxItems: API_KEY_SCOPES.length, uniqueItems: true }),
  },
  { additionalProperties: false },
);
export type CreateApiKeyBody = Static<typeof CreateApiKeyBody>;

/** A key as listed: everything but the secret, which is never stored in the clear. */
export const ApiKey = Type.Object({
  id: Type.String({ description: "key_…" }),
  name: Type.String(),
  scopes: Type.Array(Scope),
  hint: Type.String({ description: "How the key begins, to tell keys apart: thk_<id>_…" }),
  createdAt: Time("When the key was created."),
  lastUsedAt: Type.Union([Time("Last use, to the minute."), Type.Null()]),
  revokedAt: Type.Union([Time("When the key was revoked; it no longer works."), Type.Null()]),
});
export type ApiKey = Static<typeof ApiKey>;

export const CreatedApiKey = Type.Object({
  apiKey: ApiKey,
  key: Type.String({
    description: "The full key, thk_…. Shown this once only: store it now; Threshold keeps only its hash.",
  }),
});

export const ApiKeyList = Type.Object({ apiKeys: Type.Array(ApiKey) });

export type ApiKeyRow = Omit<Selectable<Database["api_keys"]>, "secret_hash">;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    scopes: JSON.parse(row.scopes) as ApiKey["scopes"],
    hint: `thk_${row.id}_…`,
    createdAt: new Date(row.created_at).toISOString(),
    lastUsedAt: iso(row.last_used_at),
    revokedAt: iso(row.revoked_at),
  };
}

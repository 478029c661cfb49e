import { API_KEY_SCOPES } from "@threshold/core";
import Type, { type Static } from "typebox";
import { User } from "../users/schemas.js";

export const LoginBody = Type.Object(
  {
    // Not format-checked: a malformed email simply has no account, and says so like any other.
    email: Type.String({ minLength: 1, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

export const LoginResponse = Type.Object({ user: User });

export const Me = Type.Union([
  Type.Object({ kind: Type.Literal("user"), user: User }),
  Type.Object({
    kind: Type.Literal("api_key"),
    apiKey: Type.Object({
      id: Type.String({ description: "key_…" }),
      name: Type.String(),
      carrierId: Type.String(),
      scopes: Type.Array(Type.Enum(API_KEY_SCOPES)),
    }),
  }),
]);
export type Me = Static<typeof Me>;

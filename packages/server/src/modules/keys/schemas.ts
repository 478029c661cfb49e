import Type, { type Static } from "typebox";
import { Time } from "../../http/schema-types.js";

export const ServerKeyList = Type.Object({
  keys: Type.Array(
    Type.Object({
      kid: Type.String({ description: "Key id, as carried in signed messages." }),
      publicKey: Type.String({ description: "Raw Ed25519 public key, base64url." }),
      createdAt: Time("When the key was made."),
      retiredAt: Type.Union([Time("When a newer key replaced it; it still verifies older proofs."), Type.Null()]),
    }),
    { description: "Every key this server has signed with, oldest first." },
  ),
});
export type ServerKeyList = Static<typeof ServerKeyList>;

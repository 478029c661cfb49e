import Type, { type Static } from "typebox";
import { Time } from "../../http/schema-types.js";
import { DeviceKindSchema, DeviceName } from "../devices/index.js";

// Shown to owners, so no control characters (which could forge lines in logs and terminals).
const PRINTABLE = "^[^\\u0000-\\u001F\\u007F]+$";

export const CreatePairingRequestBody = Type.Object(
  {
    kind: DeviceKindSchema,
    publicKey: Type.String({
      pattern: "^[A-Za-z0-9_-]{43}$",
      description:
        "The device's raw Ed25519 public key, base64url (43 characters). It signs everything the device sends.",
    }),
    model: Type.String({ minLength: 1, maxLength: 64, pattern: PRINTABLE, description: "e.g. 'Threshold Lock 1'." }),
    firmware: Type.String({ minLength: 1, maxLength: 32, pattern: PRINTABLE, description: "e.g. '1.2.0'." }),
  },
  { additionalProperties: false },
);
export type CreatePairingRequestBody = Static<typeof CreatePairingRequestBody>;

export const PairingTicket = Type.Object({
  id: Type.String({ description: "pai_…, to poll." }),
  code: Type.String({
    pattern: "^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$",
    description: "Show this to the owner, who enters it in Threshold.",
  }),
  pollToken: Type.String({ description: "Send as Authorization: Bearer … when polling. Keep it to the device." }),
  expiresAt: Time("The code is valid until then."),
  pollIntervalMs: Type.Integer({ description: "How long to wait between polls." }),
});
export type PairingTicket = Static<typeof PairingTicket>;

export const ClaimDeviceBody = Type.Object(
  {
    pairingCode: Type.String({
      minLength: 1,
      maxLength: 32,
      description: "The code the device shows, e.g. ABCD-2345; case, dashes and spaces do not matter.",
    }),
    name: DeviceName,
  },
  { additionalProperties: false },
);
export type ClaimDeviceBody = Static<typeof ClaimDeviceBody>;

const PendingPoll = Type.Object({
  status: Type.Literal("pending"),
  expiresAt: Time("Until then the code may still be entered."),
});

const PairedPoll = Type.Object({
  status: Type.Literal("paired"),
  device: Type.Object({ id: Type.String(), siteId: Type.String(), name: Type.String() }),
  mqtt: Type.Object({
    url: Type.String({ description: "The broker to connect to." }),
    username: Type.String({ description: "The device id." }),
    password: Type.String({ description: "The device's secret. Sent this once; store it." }),
  }),
  serverKeys: Type.Array(Type.Object({ kid: Type.String(), publicKey: Type.String() }), {
    description: "The server keys whose signatures on commands the device must accept.",
  }),
  currentKid: Type.String(),
  offlineSecret: Type.Optional(
    Type.String({
      description:
        "32 random bytes, base64url, shared with this device alone: offline codes are derived from it and one-time PINs are sealed with it (docs/offline-codes.md). Sent this once; store it.",
    }),
  ),
});

export const PollResult = Type.Union([PendingPoll, PairedPoll]);
export type PollResult = Static<typeof PollResult>;

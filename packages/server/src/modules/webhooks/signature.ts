import { createHmac, randomBytes } from "node:crypto";

// Standard Webhooks (https://www.standardwebhooks.com): the signed content is
// "{webhook-id}.{webhook-timestamp}.{body}", signed with HMAC-SHA256; the header carries
// "v1,<base64 signature>". A secret is "whsec_" followed by the base64 of the HMAC key.

const SECRET_PREFIX = "whsec_";

/** A new endpoint secret: 32 random bytes (the specification asks for 24 to 64). */
export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString("base64")}`;
}

/** The HMAC key of a `whsec_…` secret: the base64-decoded part after the prefix. */
export function webhookSecretKey(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error("a webhook secret starts with whsec_");
  return Buffer.from(secret.slice(SECRET_PREFIX.length), "base64");
}

/** The value of the `webhook-signature` header for one message. */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const signature = createHmac("sha256", webhookSecretKey(secret))
    .update(`${id}.${timestampSeconds}.${body}`)
    .digest("base64");
  return `v1,${signature}`;
}

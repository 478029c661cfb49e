import { describe, expect, it } from "vitest";
import { newWebhookSecret, signWebhook, webhookSecretKey } from "./signature.js";
import { verifyStandardWebhook } from "./test-support.js";

describe("Standard Webhooks signatures", () => {
  it("reproduces the specification's published test vector", () => {
    // From the Standard Webhooks reference libraries' tests: if this matches, their verifiers accept ours.
    expect(
      signWebhook(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
        '{"test": 2432232314}',
      ),
    ).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  });

  it("makes whsec_ secrets of 32 random bytes", () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(webhookSecretKey(secret)).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(secret);
  });

  it("is accepted by a verifier written from the specification, and only for the exact message", () => {
    const secret = newWebhookSecret();
    const now = Date.UTC(2026, 10, 25, 9);
    const timestamp = String(now / 1000);
    const body = '{"type":"shipment.delivered"}';
    const headers = {
      "webhook-id": "msg_1",
      "webhook-timestamp": timestamp,
      "webhook-signature": `v1,bm9wZQ== ${signWebhook(secret, "msg_1", Number(timestamp), body)}`,
    };
    expect(verifyStandardWebhook(secret, headers, body, now)).toEqual({ ok: true, id: "msg_1" });
    expect(verifyStandardWebhook(secret, headers, `${body} `, now).ok).toBe(false);
    expect(verifyStandardWebhook(secret, { ...headers, "webhook-id": "msg_2" }, body, now).ok).toBe(false);
    expect(verifyStandardWebhook(newWebhookSecret(), headers, body, now).ok).toBe(false);
    expect(verifyStandardWebhook(secret, headers, body, now + 5 * 60_000).ok).toBe(true);
    expect(verifyStandardWebhook(secret, headers, body, now + 5 * 60_000 + 1000)).toEqual({
      ok: false,
      reason: "timestamp too far off",
    });
    expect(verifyStandardWebhook(secret, headers, body, now - 6 * 60_000).ok).toBe(false);
  });
});

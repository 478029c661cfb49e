import { describe, expect, it } from "vitest";
import { generateEd25519, signMessage, verifyMessage, verifyMessageAsync } from "./signing.js";

describe("message signatures", () => {
  const keys = generateEd25519();
  const other = generateEd25519();
  const signed = signMessage({ v: 1, deviceId: "dev_x", at: 1, state: { lock: "locked" } }, keys.privateKey);

  it("verify on and off the event loop agree", async () => {
    expect(verifyMessage(signed, keys.publicKey)).toBe(true);
    expect(await verifyMessageAsync(signed, keys.publicKey)).toBe(true);
  });

  it("refuse a changed member, another signer and a malformed signature", async () => {
    const changed = { ...signed, at: 2 };
    for (const [message, key] of [
      [changed, keys.publicKey],
      [signed, other.publicKey],
      [{ ...signed, sig: "short" }, keys.publicKey],
    ] as const) {
      expect(verifyMessage(message, key)).toBe(false);
      expect(await verifyMessageAsync(message, key)).toBe(false);
    }
  });
});

import { describe, expect, it } from "vitest";
import { EXAMPLE_OFFLINE_SECRET } from "./example-messages.js";
import { getProtocolExample, loadProtocolExamples } from "./examples.js";
import { openPin, sealPin } from "./pin-seal.js";

const SECRET = Uint8Array.from({ length: 32 }, (_, i) => i);
const OTHER = Uint8Array.from({ length: 32 }, (_, i) => 31 - i);
const LOCK = "dev_01m88ya0fzp3v6h1kd8ew2qg5n";
const CODE = "acc_01m88ya0fzp3v6h1kd8ew2qg5n";

describe("sealed PINs", () => {
  it("open only for the lock and the code they were sealed for", () => {
    const sealed = sealPin(SECRET, LOCK, CODE, "58291736");
    expect(sealed).not.toContain("58291736");
    expect(openPin(SECRET, LOCK, CODE, sealed)).toBe("58291736");
    expect(openPin(OTHER, LOCK, CODE, sealed)).toBeNull();
    expect(openPin(SECRET, "dev_01m88ya0fzp3v6h1kd8ew2qg5m", CODE, sealed)).toBeNull();
    expect(openPin(SECRET, LOCK, "acc_01m88ya0fzp3v6h1kd8ew2qg5m", sealed)).toBeNull();
  });

  it("refuse a tampered or truncated seal, and never seal the same way twice", () => {
    const sealed = sealPin(SECRET, LOCK, CODE, "58291736");
    const bytes = Buffer.from(sealed, "base64url");
    bytes[14] = (bytes[14] as number) ^ 1;
    expect(openPin(SECRET, LOCK, CODE, bytes.toString("base64url"))).toBeNull();
    expect(openPin(SECRET, LOCK, CODE, sealed.slice(0, 20))).toBeNull();
    expect(sealPin(SECRET, LOCK, CODE, "58291736")).not.toBe(sealed);
  });
});

describe("the published pin_set example", () => {
  it("opens with the example lock's pairing secret to the PIN the docs name", () => {
    const { message } = getProtocolExample(loadProtocolExamples(), "command", "command.pin_set");
    const { codeId, pinSealed } = message.params;
    expect(openPin(EXAMPLE_OFFLINE_SECRET, message.deviceId, codeId ?? "", pinSealed ?? "")).toBe("58291736");
  });
});

import { ManualClock, newId } from "@threshold/core";
import { describe, expect, it } from "vitest";
import { CommandVerifier } from "./command-verifier.js";
import type { CommandMessage, Unsigned } from "./schemas.js";
import { generateEd25519, signMessage } from "./signing.js";

const server = generateEd25519();
const attacker = generateEd25519();
const deviceId = newId("device");

function setup() {
  const clock = new ManualClock();
  const verifier = new CommandVerifier(deviceId, () => new Map([["k1", server.publicKey]]), clock, 3);
  const command = (overrides: Partial<Unsigned<CommandMessage>> = {}): Unsigned<CommandMessage> => ({
    v: 1,
    id: newId("command"),
    deviceId,
    kid: "k1",
    issuedAt: clock.now(),
    expiresAt: clock.now() + 10_000,
    action: "unlock",
    params: {},
    ...overrides,
  });
  const signed = (overrides: Partial<Unsigned<CommandMessage>> = {}, key = server.privateKey) =>
    JSON.stringify(signMessage(command(overrides), key));
  return { clock, verifier, command, signed };
}

describe("CommandVerifier", () => {
  it("accepts a fresh command signed by a trusted key for this device", () => {
    const { verifier, signed } = setup();
    const verdict = verifier.verify(signed());
    expect(verdict.ok).toBe(true);
  });

  it("refuses a replay of an accepted command", () => {
    const { verifier, signed } = setup();
    const payload = signed();
    expect(verifier.verify(payload).ok).toBe(true);
    expect(verifier.verify(payload)).toMatchObject({ ok: false, reason: "replayed" });
  });

  it("refuses expired, far-future and over-long commands", () => {
    const { verifier, signed, clock } = setup();
    const expired = signed({ issuedAt: clock.now() - 20_000, expiresAt: clock.now() - 1 });
    expect(verifier.verify(expired)).toMatchObject({ ok: false, reason: "expired" });
    const future = signed({ issuedAt: clock.now() + 60_000, expiresAt: clock.now() + 70_000 });
    expect(verifier.verify(future)).toMatchObject({ ok: false, reason: "not_yet_valid" });
    const long = signed({ expiresAt: clock.now() + 30_001 });
    expect(verifier.verify(long)).toMatchObject({ ok: false, reason: "ttl_too_long" });
  });

  it("refuses a command for another device, from an unknown key or by another signer", () => {
    const { verifier, signed } = setup();
    expect(verifier.verify(signed({ deviceId: newId("device") }))).toMatchObject({ reason: "wrong_device" });
    expect(verifier.verify(signed({ kid: "k2" }))).toMatchObject({ reason: "unknown_key" });
    expect(verifier.verify(signed({}, attacker.privateKey))).toMatchObject({ reason: "bad_signature" });
  });

  it("refuses a command with any single byte changed", () => {
    const { verifier, signed } = setup();
    const payload = signed({ action: "lock" });
    const flipped = payload.replace('"lock"', '"lodk"');
    expect(verifier.verify(flipped).ok).toBe(false);
    // Change a byte inside the signed content that keeps the message well-formed.
    const tampered = payload.replace(/"issuedAt":(\d+)/, (_m, n: string) => `"issuedAt":${Number(n) - 1}`);
    expect(verifier.verify(tampered)).toMatchObject({ ok: false, reason: "bad_signature" });
  });

  it("refuses garbage without throwing", () => {
    const { verifier } = setup();
    for (const junk of ["", "{", "null", "[]", '{"v":2}', "x".repeat(20_000), Buffer.from([0xff, 0x00])]) {
      expect(verifier.verify(junk)).toMatchObject({ ok: false, reason: "malformed" });
    }
  });

  it("refuses commands issued before it booted (the replay cache does not survive a reboot)", () => {
    const { clock, command } = setup();
    const early = signMessage(command(), server.privateKey);
    clock.advance(6_000);
    const rebooted = new CommandVerifier(deviceId, () => new Map([["k1", server.publicKey]]), clock);
    expect(rebooted.verify(JSON.stringify(early))).toMatchObject({ ok: false, reason: "expired" });
  });

  it("fails closed when the replay cache is full of live commands, and frees it as they expire", () => {
    const { verifier, signed, clock } = setup();
    for (let i = 0; i < 3; i++) expect(verifier.verify(signed()).ok).toBe(true);
    expect(verifier.verify(signed())).toMatchObject({ ok: false, reason: "replay_cache_full" });
    clock.advance(10_001);
    expect(verifier.verify(signed()).ok).toBe(true);
  });
});

import { newId } from "@threshold/core";
import { type AckReason, generateEd25519 } from "@threshold/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { LockAgent } from "./lock-agent.js";
import { TestBench } from "./test-support/bench.js";
import { startBroker, type TestBroker } from "./test-support/broker.js";
import type { TestGateway } from "./test-support/test-gateway.js";

let broker: TestBroker;
let bench: TestBench;

beforeAll(async () => {
  broker = await startBroker();
  bench = new TestBench(broker);
});
afterEach(() => bench.cleanup());
afterAll(() => broker.close());

/**
 * Sends `payload` and waits for the device's command.rejected event. Commands are handled in
 * order and MQTT keeps the order of one publisher, so once the refusal has arrived anything the
 * command might have caused would have arrived before it.
 */
async function expectRefused(
  gateway: TestGateway,
  agent: LockAgent,
  payload: string | Buffer,
  reason: AckReason,
  commandId: string | null,
) {
  const before = gateway.eventsOfType("command.rejected").length;
  await gateway.send(payload);
  const refusal = await gateway.waitForEvent("command.rejected", (event) => event.seq >= before);
  expect(refusal.data).toEqual({ reason, commandId });
  if (commandId) {
    const ack = await gateway.waitForAck(commandId);
    expect(ack).toMatchObject({ status: "rejected", reason, state: { lock: "locked" } });
  }
  expect(agent.state.lock).toBe("locked");
  expect(gateway.eventsOfType("lock.unlocked")).toEqual([]);
  expect(gateway.states.every((state) => "lock" in state.state && state.state.lock === "locked")).toBe(true);
  expect(gateway.problems).toEqual([]);
}

describe("a lock refusing commands (fail closed)", () => {
  it("refuses an expired unlock", async () => {
    const { gateway, agent } = await bench.lock();
    const now = Date.now();
    const command = gateway.sign(gateway.command("unlock", { issuedAt: now - 11_000, expiresAt: now - 1_000 }));
    await expectRefused(gateway, agent, JSON.stringify(command), "expired", command.id);
  });

  it("refuses a replayed unlock", async () => {
    const { gateway, agent } = await bench.lock();
    const unlock = JSON.stringify(gateway.sign(gateway.command("unlock")));
    await gateway.send(unlock);
    await gateway.waitForEvent("lock.unlocked");
    expect(await gateway.request("lock")).toMatchObject({ status: "succeeded", state: { lock: "locked" } });
    const unlockedBefore = gateway.eventsOfType("lock.unlocked").length;
    await gateway.send(unlock);
    const refusal = await gateway.waitForEvent("command.rejected");
    expect(refusal.data).toMatchObject({ reason: "replayed" });
    expect(agent.state.lock).toBe("locked");
    expect(gateway.eventsOfType("lock.unlocked")).toHaveLength(unlockedBefore);
  });

  it("refuses an unlock addressed to another device", async () => {
    const { gateway, agent } = await bench.lock();
    const command = gateway.sign(gateway.command("unlock", { deviceId: newId("device") }));
    await expectRefused(gateway, agent, JSON.stringify(command), "wrong_device", command.id);
  });

  it("refuses an unlock with one byte of its signed content changed", async () => {
    const { gateway, agent } = await bench.lock();
    const command = gateway.sign(gateway.command("unlock"));
    const tampered = JSON.stringify(command).replace(
      /"expiresAt":(\d+)/,
      (_m, n: string) => `"expiresAt":${Number(n) - 1}`,
    );
    await expectRefused(gateway, agent, tampered, "bad_signature", command.id);
  });

  it("refuses an unlock with one character of its signature changed", async () => {
    const { gateway, agent } = await bench.lock();
    const command = gateway.sign(gateway.command("unlock"));
    // Not the last character: its low bits are padding and may not change the decoded signature.
    const sig = `${command.sig[0] === "A" ? "B" : "A"}${command.sig.slice(1)}`;
    await expectRefused(gateway, agent, JSON.stringify({ ...command, sig }), "bad_signature", command.id);
  });

  it("refuses an unlock signed by someone else with the trusted key's id", async () => {
    const { gateway, agent } = await bench.lock();
    const command = gateway.sign(gateway.command("unlock"), generateEd25519().privateKey);
    await expectRefused(gateway, agent, JSON.stringify(command), "bad_signature", command.id);
  });

  it("refuses an unlock naming a key it does not trust", async () => {
    const { gateway, agent } = await bench.lock();
    const command = gateway.sign(gateway.command("unlock", { kid: "k9" }), generateEd25519().privateKey);
    await expectRefused(gateway, agent, JSON.stringify(command), "unknown_key", command.id);
  });

  it("refuses an unsigned unlock", async () => {
    const { gateway, agent } = await bench.lock();
    const command = gateway.command("unlock");
    await expectRefused(gateway, agent, JSON.stringify(command), "malformed", command.id);
  });

  it("refuses garbage without an ack, naming no command", async () => {
    const { gateway, agent } = await bench.lock();
    await expectRefused(gateway, agent, "{not json", "malformed", null);
    await expectRefused(gateway, agent, Buffer.from([0xff, 0x00, 0x13]), "malformed", null);
    await expectRefused(gateway, agent, "x".repeat(20_000), "malformed", null);
    expect(gateway.acks).toEqual([]);
  });

  it("still obeys a valid command after refusing bad ones", async () => {
    const { gateway, agent } = await bench.lock();
    await expectRefused(gateway, agent, "null", "malformed", null);
    expect(await gateway.request("unlock")).toMatchObject({ status: "succeeded", state: { lock: "unlocked" } });
  });
});

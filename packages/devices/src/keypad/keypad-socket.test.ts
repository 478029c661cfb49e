import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { offlineCode, offlineSlotAt } from "@threshold/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { offlineSecretOf } from "../identity.js";
import { TestBench } from "../test-support/bench.js";
import { startBroker, type TestBroker } from "../test-support/broker.js";
import { KEYPAD_SOCKET_NAME, startKeypadSocket, typeOnKeypad } from "./keypad-socket.js";

let broker: TestBroker;
let bench: TestBench;
let dir: string;

beforeAll(async () => {
  broker = await startBroker();
  bench = new TestBench(broker);
});
afterEach(async () => {
  await bench.cleanup();
  await rm(dir, { recursive: true, force: true });
});
afterAll(() => broker.close());

describe("the keypad socket (threshold keypad type)", () => {
  it("types codes on a running lock, only for its owner, and says what the keypad did", async () => {
    dir = await mkdtemp(join(tmpdir(), "threshold-keypad-socket-"));
    const { agent } = await bench.lock();
    const path = join(dir, KEYPAD_SOCKET_NAME);
    const socket = await startKeypadSocket(path, () => new Map([["front-door-lock", agent]]));
    bench.defer(() => socket.close());
    expect((await stat(path)).mode & 0o777).toBe(0o600);

    expect(await typeOnKeypad(path, "123")).toMatchObject({
      ok: true,
      device: "front-door-lock",
      verdict: { result: "refused", wrongInARow: 1 },
    });
    const secret = offlineSecretOf(agent.identity) as Uint8Array;
    const code = offlineCode({ secret, slot: offlineSlotAt(Date.now()), counter: 0 });
    expect(await typeOnKeypad(path, code, "front-door-lock")).toMatchObject({
      ok: true,
      verdict: { result: "opened" },
    });
    expect(await typeOnKeypad(path, "1", "back-door")).toMatchObject({ ok: false });
    expect(await typeOnKeypad(path, "12a")).toMatchObject({ ok: false, error: "a code is 1 to 16 digits" });
    await expect(typeOnKeypad(join(dir, "nothing.sock"), "1")).rejects.toThrow(/no simulated locks/);
  });
});

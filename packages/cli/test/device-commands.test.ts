import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LockAgent, type LockerControllerAgent, type RunningFleet, runFleet } from "@threshold/devices";
import { exportPublicKey, generateEd25519 } from "@threshold/protocol";
import type { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBroker, type TestBroker } from "../../devices/src/test-support/broker.js";
import { FakePairingServer } from "../../devices/src/test-support/fake-pairing-server.js";
import { registerDeviceCommands } from "../src/commands/device.js";
import { registerLockerCommands } from "../src/commands/locker.js";
import { runInProcess } from "./run-in-process.js";

let broker: TestBroker;
let pairing: FakePairingServer;
let dataDir: string;
let fleet: RunningFleet;

/** As `threshold simulate` runs it: its state in DATA_DIR/simulator. */
beforeAll(async () => {
  broker = await startBroker();
  pairing = await FakePairingServer.start({
    brokerUrl: broker.url,
    serverKeys: [{ kid: "k1", publicKey: exportPublicKey(generateEd25519().publicKey) }],
    currentKid: "k1",
    pollIntervalMs: 20,
  });
  dataDir = await mkdtemp(join(tmpdir(), "threshold-device-cli-"));
  fleet = await runFleet({
    serverUrl: pairing.url,
    stateDir: join(dataDir, "simulator"),
    devices: [
      { name: "fridge", kind: "lock", temperatureC: 4 },
      { name: "lobby", kind: "locker_controller", compartments: 2 },
    ],
    log: () => {},
    claim: async (code) => void pairing.claim(code),
  });
});
afterAll(async () => {
  await fleet?.stop();
  await pairing?.close();
  await broker?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const register = (program: Command) => {
  registerDeviceCommands(program);
  registerLockerCommands(program);
};
/** `threshold …` with DATA_DIR set, and no --state-dir: the commands find the simulator themselves. */
async function threshold(args: string[]) {
  const before = process.env.DATA_DIR;
  process.env.DATA_DIR = dataDir;
  try {
    return await runInProcess(register, args);
  } finally {
    if (before === undefined) delete process.env.DATA_DIR;
    else process.env.DATA_DIR = before;
  }
}
const fridge = () => fleet.agents.get("fridge") as LockAgent;
const lobby = () => fleet.agents.get("lobby") as LockerControllerAgent;

describe("threshold device and threshold locker", () => {
  it("lists the devices of the simulator running in the data dir", async () => {
    const result = await threshold(["device", "list"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(join(dataDir, "simulator"));
    expect(result.stdout).toMatch(/fridge \(lock, online, dev_\w+\): lock locked, door closed/);
    expect(result.stdout).toMatch(/lobby \(locker controller, online, dev_\w+\): compartments 1 closed, 2 closed/);
  });

  it("sets a fridge's temperature and opens its door, printing what it reports", async () => {
    const warm = await threshold(["device", "fridge-temp", "fridge", "9"]);
    expect(warm.stdout).toMatch(/temperatureC 9/);
    expect(fridge().state.temperatureC).toBe(9);
    const open = await threshold(["device", "door", "fridge", "open"]);
    expect(open.stdout).toMatch(/door open/);
    expect(fridge().state.door).toBe("open");
    await threshold(["device", "door", fridge().deviceId, "close"]);
    expect(fridge().state.door).toBe("closed");
  });

  it("jams and frees a compartment's latch", async () => {
    const jam = await threshold(["locker", "jam", "lobby", "2"]);
    expect(jam).toMatchObject({ exitCode: 0 });
    expect(jam.stdout).toContain("the next command to open it fails as jammed");
    await threshold(["locker", "unjam", "lobby", "2"]);
    expect(lobby().state.compartments[1]).toMatchObject({ jammed: false });
  });

  it("says what to do on bad input, and changes nothing", async () => {
    const before = structuredClone([fridge().state, lobby().state]);
    const closed = await threshold(["locker", "deposit", "lobby", "1"]);
    expect(closed.error).toMatch(/compartment 1 is closed: a drop-off or a pickup opens it first/);
    const unknown = await threshold(["device", "beam", "garage", "broken"]);
    expect(unknown.error).toMatch(/no device garage in this simulator; its devices are: fridge, lobby/);
    const wrongKind = await threshold(["device", "beam", "fridge", "broken"]);
    expect(wrongKind.error).toMatch(/fridge is a lock: it cannot break-beam/);
    const badChoice = await threshold(["device", "beam", "fridge", "half"]);
    expect(badChoice.error).toMatch(/Allowed choices are broken, clear/);
    const tooHot = await threshold(["device", "fridge-temp", "fridge", "hot"]);
    expect(tooHot.error).toMatch(/a temperature is a number/);
    expect([fridge().state, lobby().state]).toEqual(before);
  });

  it("says no simulator runs, and how to start one, where none does", async () => {
    const empty = join(dataDir, "nothing-here");
    const result = await runInProcess(register, ["device", "list", "--state-dir", empty]);
    expect(result.error).toBe(
      `no simulator is running in ${empty}: start \`threshold simulate\` (or \`threshold demo\`), or pass --state-dir`,
    );
  });
});

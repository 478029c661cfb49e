import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportPublicKey, generateEd25519, importPublicKey } from "@threshold/protocol";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CameraAgent } from "./camera-agent.js";
import { type RunningFleet, runFleet } from "./fleet.js";
import type { FleetDevice } from "./fleet-file.js";
import { GarageOpenerAgent } from "./garage-opener-agent.js";
import { type DeviceIdentity, loadIdentity } from "./identity.js";
import { LockAgent } from "./lock-agent.js";
import { startBroker, type TestBroker } from "./test-support/broker.js";
import { FakePairingServer } from "./test-support/fake-pairing-server.js";
import { TestGateway } from "./test-support/test-gateway.js";

const serverKey = generateEd25519();
const devices: FleetDevice[] = [
  { name: "front-door", kind: "lock", autoRelockS: 5 },
  { name: "porch", kind: "camera" },
];

let broker: TestBroker;
let stateDir: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  broker = await startBroker();
});
beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "threshold-fleet-"));
});
afterEach(async () => {
  for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) await cleanup();
  await rm(stateDir, { recursive: true, force: true });
});
afterAll(() => broker.close());

async function pairingServer(brokerUrl = broker.url): Promise<FakePairingServer> {
  const server = await FakePairingServer.start({
    brokerUrl,
    serverKeys: [{ kid: "k1", publicKey: exportPublicKey(serverKey.publicKey) }],
    currentKid: "k1",
    pollIntervalMs: 50,
  });
  cleanups.push(() => server.close());
  return server;
}

async function started(fleet: Promise<RunningFleet>): Promise<RunningFleet> {
  const running = await fleet;
  cleanups.push(() => running.stop());
  return running;
}

async function gatewayFor(identity: DeviceIdentity): Promise<TestGateway> {
  const gateway = await TestGateway.connect(broker.url, {
    identity,
    serverKey,
    serverKid: "k1",
    devicePublicKey: importPublicKey(identity.publicKey),
  });
  cleanups.push(() => gateway.close());
  return gateway;
}

describe("runFleet", () => {
  it("pairs each device once through claim, saves its identity and reuses it on the next run", async () => {
    const server = await pairingServer();
    const claimed: string[] = [];
    const log: string[] = [];
    const first = await started(
      runFleet({
        serverUrl: server.url,
        stateDir,
        devices,
        log: (line) => log.push(line),
        claim: async (code, device) => {
          claimed.push(`${device.name} ${code}`);
          server.claim(code);
        },
      }),
    );
    expect(claimed).toEqual(["front-door ABCD-2345", "porch ABCD-2346"]);
    expect([...first.agents.keys()]).toEqual(["front-door", "porch"]);
    const lock = first.agents.get("front-door");
    expect(lock).toBeInstanceOf(LockAgent);
    expect(first.agents.get("porch")).toBeInstanceOf(CameraAgent);
    expect(lock?.state).toMatchObject({ lock: "locked", autoRelockS: 5 });

    // Identities, one file per device (beside them: the keypad socket and the locks' keypad state).
    expect((await readdir(stateDir)).filter((name) => name.endsWith(".json")).sort()).toEqual([
      "front-door.json",
      "porch.json",
    ]);
    const saved = await loadIdentity(join(stateDir, "front-door.json"));
    expect((await stat(join(stateDir, "front-door.json"))).mode & 0o777).toBe(0o600);
    expect(saved.deviceId).toBe(lock?.deviceId);
    expect(log).toContain(`front-door (lock): paired as ${saved.deviceId}`);
    expect(log).toContain(`front-door (lock): online as ${saved.deviceId}`);

    // The agent speaks the real protocol with the credentials it paired with.
    const gateway = await gatewayFor(saved);
    expect(await gateway.request("unlock")).toMatchObject({ status: "succeeded", state: { lock: "unlocked" } });
    await first.stop();

    const second = await started(
      runFleet({
        serverUrl: server.url,
        stateDir,
        devices,
        log: () => {},
        claim: () => Promise.reject(new Error("an already paired device must not pair again")),
      }),
    );
    expect(server.requests).toHaveLength(2);
    expect(second.agents.get("front-door")?.deviceId).toBe(saved.deviceId);
    expect(second.agents.get("porch")?.deviceId).toBe(first.agents.get("porch")?.deviceId);
    expect(await gateway.request("ping")).toMatchObject({ status: "succeeded" });
  });

  it("persists a rotated server key so the next run trusts it", async () => {
    const server = await pairingServer();
    const fleet = await started(
      runFleet({
        serverUrl: server.url,
        stateDir,
        devices: [devices[0] as FleetDevice],
        log: () => {},
        claim: async (code) => void server.claim(code),
      }),
    );
    const path = join(stateDir, "front-door.json");
    const gateway = await gatewayFor(await loadIdentity(path));
    const newKey = exportPublicKey(generateEd25519().publicKey);
    await gateway.request("rotate_key", { params: { newKid: "k2", newPublicKey: newKey } });
    expect(await loadIdentity(path)).toMatchObject({ trustedKid: "k2" });
    await fleet.stop();
  });

  it("logs the pairing code when nobody claims for it, and can use another broker address", async () => {
    const server = await pairingServer("mqtt://127.0.0.1:1");
    const log: string[] = [];
    await started(
      runFleet({
        serverUrl: server.url,
        stateDir,
        brokerUrl: broker.url,
        devices: [{ name: "garage-cam", kind: "camera" }],
        log: (line) => {
          log.push(line);
          // Play the owner reading the code off the log and entering it.
          const code = /pairing code (\S+)/.exec(line)?.[1];
          if (code) server.claim(code);
        },
      }),
    );
    expect(log[0]).toBe("garage-cam (camera): pairing code ABCD-2345 — enter it in Threshold to pair");
    expect(log.at(-1)).toMatch(/^garage-cam \(camera\): online as dev_/);
  });

  it("stops pairing when a claim fails, and saves nothing", async () => {
    const server = await pairingServer();
    const fleet = runFleet({
      serverUrl: server.url,
      stateDir,
      devices,
      log: () => {},
      claim: () => Promise.reject(new Error("wrong password for the demo owner")),
    });
    await expect(fleet).rejects.toThrow("wrong password for the demo owner");
    expect(await readdir(stateDir)).toEqual([]);
  });

  it("refuses an identity file of another kind than the fleet declares", async () => {
    const server = await pairingServer();
    await (
      await started(
        runFleet({
          serverUrl: server.url,
          stateDir,
          devices: [{ name: "x", kind: "lock" }],
          log: () => {},
          claim: async (code) => void server.claim(code),
        }),
      )
    ).stop();
    const fleet = runFleet({
      serverUrl: server.url,
      stateDir,
      devices: [{ name: "x", kind: "camera" }],
      log: () => {},
    });
    await expect(fleet).rejects.toThrow(/holds a lock but x is declared a camera/);
  });
});

describe("runFleet beyond locks and cameras", () => {
  it("runs a garage opener and a fridge lock with their fleet settings", async () => {
    const server = await pairingServer();
    const fleet = await started(
      runFleet({
        serverUrl: server.url,
        stateDir,
        devices: [
          { name: "garage", kind: "garage_opener", travelS: 2, autoCloseS: 60 },
          { name: "fridge", kind: "lock", temperatureC: 3.5 },
        ],
        log: () => {},
        msPerSecond: 5,
        claim: async (code) => {
          server.claim(code);
        },
      }),
    );
    const garage = fleet.agents.get("garage");
    const fridge = fleet.agents.get("fridge");
    expect(garage).toBeInstanceOf(GarageOpenerAgent);
    expect(garage?.state).toEqual({ door: "closed", obstructed: false, autoCloseS: 60 });
    expect(fridge?.state).toMatchObject({ lock: "locked", temperatureC: 3.5 });
    const gateway = await gatewayFor(garage?.identity as DeviceIdentity);
    expect(await gateway.request("open")).toMatchObject({ status: "succeeded", state: { door: "open" } });
  });
});

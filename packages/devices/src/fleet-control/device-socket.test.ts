import { access, mkdtemp, rm, stat } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type EventMessage,
  exportPublicKey,
  generateEd25519,
  importPublicKey,
  type StateMessage,
} from "@threshold/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CameraAgent } from "../camera-agent.js";
import { ControlSocketUnreachable } from "../control-socket.js";
import { type FleetAgent, type RunningFleet, runFleet } from "../fleet.js";
import { startBroker, type TestBroker } from "../test-support/broker.js";
import { FakePairingServer } from "../test-support/fake-pairing-server.js";
import { TestGateway } from "../test-support/test-gateway.js";
import { controlDevice } from "./device-client.js";
import { DEVICE_SOCKET_NAME, type DeviceAnswer, type DeviceRequest } from "./device-request.js";

const serverKey = generateEd25519();

let broker: TestBroker;
let pairing: FakePairingServer;
let stateDir: string;
let fleet: RunningFleet;
let socketPath: string;
const gateways = new Map<string, TestGateway>();

beforeAll(async () => {
  broker = await startBroker();
  pairing = await FakePairingServer.start({
    brokerUrl: broker.url,
    serverKeys: [{ kid: "k1", publicKey: exportPublicKey(serverKey.publicKey) }],
    currentKid: "k1",
    pollIntervalMs: 20,
  });
  stateDir = await mkdtemp(join(tmpdir(), "threshold-device-socket-"));
  socketPath = join(stateDir, DEVICE_SOCKET_NAME);
  // A fleet as `threshold simulate --fleet` runs it: one device of every kind, and a fridge.
  fleet = await runFleet({
    serverUrl: pairing.url,
    stateDir,
    devices: [
      { name: "front-door", kind: "lock" },
      { name: "fridge", kind: "lock", temperatureC: 4 },
      { name: "garage", kind: "garage_opener", travelS: 2 },
      { name: "porch", kind: "camera" },
      { name: "lobby", kind: "locker_controller", compartments: 3 },
      { name: "family-car", kind: "vehicle" },
    ],
    video: "synthetic",
    log: () => {},
    claim: async (code) => void pairing.claim(code),
  });
  for (const [name, agent] of fleet.agents) {
    const { identity } = agent;
    gateways.set(
      name,
      await TestGateway.connect(broker.url, {
        identity,
        serverKey,
        serverKid: "k1",
        devicePublicKey: importPublicKey(identity.publicKey),
      }),
    );
  }
});
afterAll(async () => {
  for (const gateway of gateways.values()) await gateway.close();
  await fleet?.stop();
  await pairing?.close();
  await broker?.close();
  await rm(stateDir, { recursive: true, force: true });
});

const drive = (request: DeviceRequest) => controlDevice(socketPath, request);
const agent = (name: string): FleetAgent => fleet.agents.get(name) as FleetAgent;
const gateway = (name: string): TestGateway => gateways.get(name) as TestGateway;

/** Whether a state message says `key` is `value`, whatever kind of device sent it. */
function reports(message: StateMessage, key: string, value: unknown): boolean {
  return (message.state as Record<string, unknown>)[key] === value;
}

/** Every event the agent emits from now on, collected as it emits it (no waiting needed to see none). */
function eventsFrom(name: string): EventMessage[] {
  const seen: EventMessage[] = [];
  agent(name).onEvent((event) => seen.push(event));
  return seen;
}

/** Sends one raw line and reads the one answer, as a client that writes no JSON would. */
function rawLine(line: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(socketPath);
    let reply = "";
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(`${line}\n`));
    socket.on("data", (chunk: string) => {
      reply += chunk;
    });
    socket.on("end", () => resolve(JSON.parse(reply)));
    socket.on("error", reject);
  });
}

describe("the fleet's control socket (threshold device, threshold locker)", () => {
  it("is for the fleet's user only, and lists every device with what it reports", async () => {
    expect((await stat(socketPath)).mode & 0o777).toBe(0o600);
    const answer = await drive({ action: "list" });
    expect(answer).toMatchObject({ ok: true });
    const devices = "devices" in answer ? answer.devices : [];
    expect(devices.map((d) => [d.name, d.kind, d.online])).toEqual([
      ["front-door", "lock", true],
      ["fridge", "lock", true],
      ["garage", "garage_opener", true],
      ["porch", "camera", true],
      ["lobby", "locker_controller", true],
      ["family-car", "vehicle", true],
    ]);
    expect(devices[0]).toMatchObject({ deviceId: agent("front-door").deviceId, state: { lock: "locked" } });
    expect(devices[3]).toMatchObject({ frozen: false });
  });

  it("opens and closes a lock's door, jams its bolt and drains its battery, by name or device id", async () => {
    const lock = gateway("front-door");
    expect(await drive({ action: "open-door", device: "front-door" })).toMatchObject({
      ok: true,
      device: { name: "front-door", state: { door: "open" } },
      note: expect.stringMatching(/forced/),
    });
    await lock.waitForEvent("door.opened");
    await lock.waitForEvent("alarm.forced");
    await lock.waitForState((s) => reports(s, "door", "open"));

    const byId = agent("front-door").deviceId;
    expect(await drive({ action: "close-door", device: byId })).toMatchObject({
      device: { state: { door: "closed" } },
    });
    await lock.waitForEvent("door.closed");

    await drive({ action: "jam", device: "front-door" });
    await lock.waitForEvent("alarm.jammed");
    await lock.waitForState((s) => reports(s, "lock", "jammed"));
    await drive({ action: "clear-jam", device: "front-door" });
    await lock.waitForState((s) => reports(s, "lock", "locked"), lock.states.length - 1);

    await drive({ action: "battery", device: "front-door", percent: 15 });
    expect((await lock.waitForEvent("battery.low")).data).toMatchObject({ battery: 15 });
  });

  it("types on a lock's keypad", async () => {
    expect(await drive({ action: "type", device: "front-door", code: "0000" })).toMatchObject({
      ok: true,
      verdict: { result: "refused", wrongInARow: 1 },
    });
  });

  it("warms a fridge up and opens its door", async () => {
    const fridge = gateway("fridge");
    expect(await drive({ action: "temperature", device: "fridge", celsius: 9.5 })).toMatchObject({
      device: { state: { temperatureC: 9.5 } },
    });
    expect((await fridge.waitForEvent("temperature.reported")).data).toMatchObject({ temperatureC: 9.5 });
    await drive({ action: "open-door", device: "fridge" });
    await fridge.waitForEvent("door.opened");
    await drive({ action: "close-door", device: "fridge" });
    await fridge.waitForEvent("door.closed");
  });

  it("breaks and clears a garage's safety beam", async () => {
    const garage = gateway("garage");
    expect(await drive({ action: "break-beam", device: "garage" })).toMatchObject({
      device: { state: { obstructed: true } },
    });
    await garage.waitForEvent("alarm.obstructed");
    await garage.waitForState((s) => reports(s, "obstructed", true));
    await drive({ action: "clear-beam", device: "garage" });
    await garage.waitForState((s) => reports(s, "obstructed", false), garage.states.length - 1);
  });

  it("freezes and thaws a camera's picture", async () => {
    const camera = agent("porch") as CameraAgent;
    expect(await drive({ action: "freeze", device: "porch" })).toMatchObject({
      ok: true,
      device: { frozen: true, state: { streaming: true } },
    });
    expect(camera.frozen).toBe(true);
    expect(await drive({ action: "thaw", device: "porch" })).toMatchObject({ device: { frozen: false } });
    expect(camera.frozen).toBe(false);
  });

  it("puts a parcel into a compartment the server opened, and closing it reports the deposit", async () => {
    const lockers = gateway("lobby");
    const events = eventsFrom("lobby");
    // Nothing goes into a closed compartment.
    expect(await drive({ action: "put", device: "lobby", compartment: 2 })).toMatchObject({
      ok: false,
      code: "not_possible",
    });
    expect(events).toEqual([]);

    expect(await lockers.request("compartment_open", { params: { compartment: 2, purpose: "deposit" } })).toMatchObject(
      { status: "succeeded" },
    );
    expect(await drive({ action: "put", device: "lobby", compartment: 2 })).toMatchObject({
      device: { state: { compartments: expect.arrayContaining([expect.objectContaining({ n: 2, occupied: true })]) } },
    });
    await drive({ action: "close", device: "lobby", compartment: 2 });
    const closed = await lockers.waitForEvent("compartment.closed");
    expect(closed.data).toMatchObject({ compartment: 2, occupied: true, deposited: true, deposits: 1 });
  });

  it("jams a compartment's latch: the server's next open fails as jammed", async () => {
    await drive({ action: "jam", device: "lobby", compartment: 3 });
    expect(await gateway("lobby").request("compartment_open", { params: { compartment: 3 } })).toMatchObject({
      status: "failed",
      reason: "jammed",
    });
    await drive({ action: "clear-jam", device: "lobby", compartment: 3 });
    expect(await gateway("lobby").request("compartment_open", { params: { compartment: 3 } })).toMatchObject({
      status: "succeeded",
    });
  });

  it("moves, drives and parks a car", async () => {
    const car = gateway("family-car");
    expect(await drive({ action: "move", device: "family-car", lat: 52.38, lng: 4.9 })).toMatchObject({
      device: { state: { position: { lat: 52.38, lng: 4.9 } } },
    });
    await car.waitForEvent("vehicle.moved");
    await car.waitForState((s) => (s.state as { position?: { lat: number } }).position?.lat === 52.38);
    await drive({ action: "drive", device: "family-car" });
    await car.waitForEvent("vehicle.driving");
    expect(await drive({ action: "park", device: "family-car" })).toMatchObject({
      device: { state: { drive: "parked" } },
    });
  });

  it("refuses bad requests with a stable code and what to do, and changes nothing", async () => {
    const before = [...fleet.agents].map(([name, a]) => [name, structuredClone(a.state)]);
    const events = [...fleet.agents.keys()].flatMap((name) => eventsFrom(name));

    expect(await drive({ action: "open-door", device: "back-door" })).toEqual({
      ok: false,
      code: "unknown_device",
      error:
        "no device back-door in this simulator; its devices are: front-door, fridge, garage, porch, lobby, family-car",
    });
    expect(await drive({ action: "status" })).toMatchObject({ ok: false, code: "unknown_device" });
    expect(await drive({ action: "break-beam", device: "front-door" })).toMatchObject({
      ok: false,
      code: "wrong_kind",
      error: expect.stringMatching(/^front-door is a lock: it cannot break-beam\. A lock can: status, open-door/),
    });
    expect(await drive({ action: "temperature", device: "front-door", celsius: 20 })).toMatchObject({
      ok: false,
      code: "wrong_kind",
      error: expect.stringMatching(/without a temperature sensor/),
    });
    for (const request of [
      { action: "battery", device: "front-door", percent: 150 },
      { action: "battery", device: "front-door" },
      { action: "temperature", device: "fridge", celsius: 500 },
      { action: "type", device: "front-door", code: "12ab" },
      { action: "put", device: "lobby", compartment: 4 },
      { action: "jam", device: "lobby" },
      { action: "move", device: "family-car", lat: 95, lng: 0 },
    ] as DeviceRequest[]) {
      expect(await drive(request)).toMatchObject({ ok: false, code: "invalid_argument" });
    }
    expect(await drive({ action: "fly" as "park", device: "family-car" })).toMatchObject({
      ok: false,
      code: "unknown_action",
    });
    expect(await rawLine("open the door please")).toEqual({
      ok: false,
      code: "malformed_request",
      error: "the request is not JSON",
    });
    expect(await rawLine("[1,2]")).toMatchObject({ ok: false, code: "malformed_request" });
    expect(await rawLine('{"action":"status","device":7}')).toMatchObject({ ok: false, code: "malformed_request" });

    expect(events).toEqual([]);
    expect([...fleet.agents].map(([name, a]) => [name, a.state])).toEqual(before);
  });

  it("says that no simulator runs where nothing listens", async () => {
    const nobody = join(stateDir, "nobody.sock");
    const failure = controlDevice(nobody, { action: "list" });
    await expect(failure).rejects.toBeInstanceOf(ControlSocketUnreachable);
    await expect(failure).rejects.toThrow(/no simulated devices are listening/);
  });
});

describe("the control socket's life", () => {
  it("is removed when the fleet stops", async () => {
    const dir = await mkdtemp(join(tmpdir(), "threshold-device-socket-life-"));
    try {
      const small = await runFleet({
        serverUrl: pairing.url,
        stateDir: dir,
        devices: [{ name: "lock", kind: "lock" }],
        log: () => {},
        claim: async (code) => void pairing.claim(code),
      });
      const path = join(dir, DEVICE_SOCKET_NAME);
      const answer: DeviceAnswer = await controlDevice(path, { action: "status", device: "lock" });
      expect(answer).toMatchObject({ ok: true, device: { name: "lock" } });
      await small.stop();
      await expect(access(path)).rejects.toMatchObject({ code: "ENOENT" });
      await expect(controlDevice(path, { action: "list" })).rejects.toBeInstanceOf(ControlSocketUnreachable);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

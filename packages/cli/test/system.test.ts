import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { LockAgent, type RunningFleet, runFleet } from "@threshold/devices";
import { signIn, ThresholdApiError, type ThresholdClient, unwrap } from "@threshold/sdk";
import { createAccount, loadConfig, rotateServerKey, type ServerHandle, startServer } from "@threshold/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The whole system on loopback, as `npm start` runs it: a real server with its embedded broker,
 * real device agents paired through the real flow, and callers that use only the SDK.
 */
describe("the system, end to end", () => {
  let dataDir: string;
  let server: ServerHandle;
  let fleet: RunningFleet;
  let owner: ThresholdClient;
  let siteId: string;

  async function start(): Promise<ServerHandle> {
    const config = loadConfig({ DATA_DIR: dataDir, PORT: "0", MQTT_PORT: "0", LOG_LEVEL: "silent" });
    return startServer(config);
  }

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "threshold-system-"));
    server = await start();
    const password = "correct horse battery";
    await createAccount(server.ctx.db, server.ctx.clock, {
      email: "owner@example.test",
      name: "Owner",
      password,
      role: "recipient",
    });
    owner = (await signIn(server.url, "owner@example.test", password)).client;
    siteId = unwrap(
      await owner.POST("/v1/sites", {
        body: {
          name: "Home",
          address: { line1: "1 Main St", city: "Springfield", postalCode: "12345", country: "US" },
          location: { lat: 40, lng: -75 },
        },
      }),
    ).id;
    fleet = await runFleet({
      serverUrl: server.url,
      stateDir: path.join(dataDir, "fleet"),
      devices: [
        { name: "lock", kind: "lock", heartbeatMs: 500 },
        { name: "camera", kind: "camera", heartbeatMs: 500 },
      ],
      claim: async (code, device) => {
        unwrap(
          await owner.POST("/v1/sites/{siteId}/devices", {
            params: { path: { siteId } },
            body: { pairingCode: code, name: device.name },
          }),
        );
      },
      log: () => {},
    });
  });

  afterAll(async () => {
    await fleet?.stop();
    await server?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const lock = () => fleet.agents.get("lock") as LockAgent;
  const device = async (deviceId: string) =>
    unwrap(await owner.GET("/v1/devices/{deviceId}", { params: { path: { deviceId } } }));

  async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (ok(value)) return value;
      if (Date.now() > deadline) throw new Error(`not reached in time: ${JSON.stringify(value)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it("shows the paired lock and camera online with their signed reported state", async () => {
    const lockView = await eventually(
      () => device(lock().deviceId),
      (d) => d.online,
    );
    expect(lockView).toMatchObject({ kind: "lock", reportedState: { lock: "locked", door: "closed" } });
    const cameraView = await eventually(
      () => device((fleet.agents.get("camera") as { deviceId: string }).deviceId),
      (d) => d.online,
    );
    expect(cameraView.kind).toBe("camera");
  });

  it("unlocks and relocks the real lock agent with signed commands, and the owner sees each state", async () => {
    expect(lock()).toBeInstanceOf(LockAgent);
    const unlock = await server.ctx.commands.send(lock().deviceId, "unlock");
    expect(await unlock.outcome).toMatchObject({ status: "succeeded", ack: { state: { lock: "unlocked" } } });
    await eventually(
      () => device(lock().deviceId),
      (d) => (d.reportedState as { lock?: string } | null)?.lock === "unlocked",
    );
    const relock = await server.ctx.commands.send(lock().deviceId, "lock");
    expect((await relock.outcome).status).toBe("succeeded");
    expect(lock().state.lock).toBe("locked");
    const events = await server.ctx.db
      .selectFrom("device_events")
      .select("type")
      .where("device_id", "=", lock().deviceId)
      .execute();
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(["lock.unlocked", "lock.locked"]));
  });

  it("rotates the signing key: devices confirm it, and commands keep working with the new key", async () => {
    const before = server.ctx.keyring.currentKid;
    const result = await rotateServerKey(server.ctx);
    expect(result.kid).not.toBe(before);
    expect(result.devices).toEqual({ total: 2, confirmed: 2, pending: 0 });
    await eventually(
      () => device(lock().deviceId),
      (d) => d.trustedKid === result.kid,
    );
    const ping = await server.ctx.commands.send(lock().deviceId, "ping");
    expect((await ping.outcome).status).toBe("succeeded");
    const oldKey = await server.ctx.commands.send(lock().deviceId, "unlock", {}, { signingKid: before });
    expect(await oldKey.outcome).toMatchObject({ status: "rejected", reason: "unknown_key" });
    expect(lock().state.lock).toBe("locked");
  });

  it("survives a server restart: devices reconnect and take commands again", async () => {
    await server.close();
    server = await start();
    // The embedded broker listens on a new port; agents were told the old one, so point them at the new broker.
    await fleet.stop();
    fleet = await runFleet({
      serverUrl: server.url,
      stateDir: path.join(dataDir, "fleet"),
      brokerUrl: server.ctx.mqttUrl,
      devices: [
        { name: "lock", kind: "lock", heartbeatMs: 500 },
        { name: "camera", kind: "camera", heartbeatMs: 500 },
      ],
      log: () => {},
    });
    owner = (await signIn(server.url, "owner@example.test", "correct horse battery")).client;
    const ping = await server.ctx.commands.send(lock().deviceId, "ping");
    expect((await ping.outcome).status).toBe("succeeded");
  });

  it("removing a device through the API cuts it off the broker for good", async () => {
    const camera = fleet.agents.get("camera") as { deviceId: string };
    unwrap(await owner.DELETE("/v1/devices/{deviceId}", { params: { path: { deviceId: camera.deviceId } } }));
    const gone = await owner.GET("/v1/devices/{deviceId}", { params: { path: { deviceId: camera.deviceId } } });
    expect(() => unwrap(gone)).toThrow(ThresholdApiError);
    expect(gone.response.status).toBe(404);
    const attempt = await server.ctx.commands.send(camera.deviceId, "ping", {}, { ttlMs: 500 });
    expect((await attempt.outcome).status).toBe("timed_out");
  });
});

import { connectMqtt, deviceTopic, signMessage } from "@threshold/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectAsDevice, insertTestDevice, runAckingDevice, type TestDevice } from "../test/devices.js";
import { signInAs } from "../test/fixtures.js";
import { startTestServer, type TestServer } from "../test/harness.js";
import { apiClient } from "../test/http.js";
import { startMosquitto, type TestMosquitto } from "../test/mosquitto.js";
import { until } from "../test/wait.js";

describe("an external broker (Mosquitto)", () => {
  let mosquitto: TestMosquitto;
  let server: TestServer;
  let device: TestDevice;
  let other: TestDevice;

  beforeAll(async () => {
    mosquitto = await startMosquitto("threshold-server", "server-secret");
    server = await startTestServer({
      database: "sqlite",
      env: { MQTT_URL: mosquitto.url, MQTT_USERNAME: "threshold-server", MQTT_PASSWORD: "server-secret" },
    });
    const owner = await signInAs(server, "recipient");
    device = await insertTestDevice(server, owner.id);
    other = await insertTestDevice(server, owner.id);
    await mosquitto.addUser(device.id, device.password);
    await mosquitto.addUser(other.id, other.password);
  });
  afterAll(async () => {
    await server?.destroy();
    await mosquitto?.stop();
  });

  it("reports the external broker in /health", async () => {
    const health = await apiClient(server.url)("GET", "/health");
    expect(health.body.broker).toMatchObject({ ok: true, mode: "external" });
  });

  it("carries signed commands and acks between server and device", async () => {
    expect(server.ctx.mqttUrl).toBe(mosquitto.url);
    const { client } = await runAckingDevice(server, device);
    try {
      const attempt = await server.ctx.commands.send(device.id, "ping");
      expect(await attempt.outcome).toMatchObject({ status: "succeeded" });
    } finally {
      await client.endAsync(true);
    }
  });

  it("keeps devices to their own topics with the documented ACL", async () => {
    const anonymous = connectMqtt(mosquitto.url, { clientId: "anon", reconnectPeriod: 0 });
    const refused = await new Promise<string>((resolve) => {
      anonymous.once("connect", () => resolve("connected"));
      anonymous.once("error", (err) => resolve(err.message));
    });
    anonymous.end(true);
    expect(refused).not.toBe("connected");

    const spy = await connectAsDevice(mosquitto.url, device);
    const seen: string[] = [];
    spy.on("message", (topic) => seen.push(topic));
    await spy.subscribeAsync(["#", deviceTopic(other.id, "cmd")], { qos: 1 }).catch(() => undefined);
    // A state for the other device, published from this device's account, must not count.
    const forgedState = signMessage(
      {
        v: 1 as const,
        deviceId: other.id,
        at: Date.now(),
        online: true,
        kind: "lock" as const,
        firmware: "9.9.9",
        trustedKid: "k",
        state: { lock: "unlocked" as const, door: "open" as const, battery: 1, autoRelockS: 0, lockedOut: false },
      },
      other.keys.privateKey,
    );
    await spy
      .publishAsync(deviceTopic(other.id, "state"), JSON.stringify(forgedState), { qos: 1 })
      .catch(() => undefined);

    const ownCommands = deviceTopic(device.id, "cmd");
    await spy.subscribeAsync(ownCommands, { qos: 1 });

    const target = await runAckingDevice(server, other);
    const attempt = await server.ctx.commands.send(other.id, "ping");
    expect((await attempt.outcome).status).toBe("succeeded");
    // The broker delivers to the spy in order: once a later command to the spy's own device has
    // arrived, the other device's ping would have arrived before it, had the ACL let it through.
    await server.ctx.commands.send(device.id, "ping");
    await until(() => seen.includes(ownCommands), 10_000, "the spy's own command");
    await server.ctx.gateway.idle();
    const row = await server.ctx.db
      .selectFrom("devices")
      .selectAll()
      .where("id", "=", other.id)
      .executeTakeFirstOrThrow();
    expect(row.firmware).not.toBe("9.9.9");
    expect(seen.filter((topic) => topic !== ownCommands)).toEqual([]);
    await spy.endAsync(true);
    await target.client.endAsync(true);
  });
});

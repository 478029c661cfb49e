import { ManualClock } from "@threshold/core";
import type { MqttClient } from "mqtt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../test/databases.js";
import { connectAsDevice, insertTestDevice, type TestDevice } from "../test/devices.js";
import { type SignedInUser, signInAs } from "../test/fixtures.js";
import { startTestServer, type TestServer } from "../test/harness.js";
import { apiClient } from "../test/http.js";
import { openSse, type SseStream } from "../test/sse.js";
import { until } from "../test/wait.js";
import { TAKEOVER_ALERT, TAKEOVER_EVENTS } from "./session-takeovers.js";

/**
 * Hostile finding 6c: a stolen MQTT credential knocks the real device off the broker by connecting
 * with its client id. MQTT's rule stays; each takeover is recorded on the device, and repeated ones
 * alert the owner. Two MQTT clients with the same device credentials, on the real embedded broker.
 */
describe.each(TEST_DATABASES)("MQTT session takeovers on %s", (database) => {
  let server: TestServer;
  let owner: SignedInUser;
  const clock = new ManualClock(Date.now());
  const clients: MqttClient[] = [];
  const streams: SseStream[] = [];

  beforeAll(async () => {
    server = await startTestServer({ database, clock });
    owner = await signInAs(server, "recipient");
  });
  afterEach(async () => {
    for (const stream of streams.splice(0)) stream.close();
    await Promise.all(clients.splice(0).map((client) => client.endAsync(true)));
  });
  afterAll(() => server?.destroy());

  const eventsOf = (deviceId: string, type: string) =>
    server.ctx.db
      .selectFrom("audit_events")
      .selectAll()
      .where("subject_id", "=", deviceId)
      .where("type", "=", type)
      .orderBy("seq")
      .execute();

  /** Connects with the device's credentials and waits until the takeover it causes is recorded. */
  async function takeOver(device: TestDevice): Promise<MqttClient> {
    const before = (await eventsOf(device.id, TAKEOVER_EVENTS.takenOver)).length;
    const client = await connectAsDevice(server.ctx.mqttUrl, device);
    clients.push(client);
    await until(
      async () => (await eventsOf(device.id, TAKEOVER_EVENTS.takenOver)).length > before,
      5_000,
      "the takeover recorded",
    );
    await server.ctx.gateway.idle();
    return client;
  }

  async function deviceView(device: TestDevice) {
    const res = await apiClient(server.url)("GET", `/v1/sites/${device.siteId}/devices`, { cookie: owner.cookie });
    expect(res.status).toBe(200);
    return (res.body.devices as { id: string; takeovers: unknown }[]).find((d) => d.id === device.id);
  }

  it("records a takeover on the device, with when and from where, and shows it on the device", async () => {
    const device = await insertTestDevice(server, owner.id);
    expect((await deviceView(device))?.takeovers).toEqual({ count: 0, lastAt: null });
    const real = await connectAsDevice(server.ctx.mqttUrl, device);
    clients.push(real);
    const realDropped = new Promise<void>((resolve) => real.once("close", () => resolve()));

    await takeOver(device);
    await realDropped;

    const [event] = await eventsOf(device.id, TAKEOVER_EVENTS.takenOver);
    expect(event).toMatchObject({ site_id: device.siteId, actor_type: "system", at: clock.now() });
    expect(JSON.parse(event?.data ?? "{}")).toMatchObject({
      deviceId: device.id,
      at: clock.now(),
      address: expect.stringMatching(/127\.0\.0\.1$/),
      count: 1,
    });
    expect((await deviceView(device))?.takeovers).toEqual({ count: 1, lastAt: new Date(clock.now()).toISOString() });
    expect(await eventsOf(device.id, TAKEOVER_EVENTS.repeated)).toEqual([]);
  });

  it("does not count a device connecting while it is not connected", async () => {
    const device = await insertTestDevice(server, owner.id);
    const first = await connectAsDevice(server.ctx.mqttUrl, device);
    await first.endAsync();
    const second = await connectAsDevice(server.ctx.mqttUrl, device);
    clients.push(second);
    // A takeover would be recorded before the new connection is registered, so before its CONNACK.
    await server.ctx.gateway.idle();
    expect(await eventsOf(device.id, TAKEOVER_EVENTS.takenOver)).toEqual([]);
    expect((await deviceView(device))?.takeovers).toEqual({ count: 0, lastAt: null });
  });

  it(`alerts the owner's live stream once when ${TAKEOVER_ALERT.count} takeovers come within ten minutes`, async () => {
    const device = await insertTestDevice(server, owner.id);
    const stream = await openSse(`${server.url}/v1/events/stream`, { cookie: owner.cookie });
    streams.push(stream);
    expect(stream.status).toBe(200);
    clients.push(await connectAsDevice(server.ctx.mqttUrl, device));

    // The real device and a thief take turns: every connection takes the other's session.
    for (let i = 0; i < TAKEOVER_ALERT.count - 1; i++) {
      await takeOver(device);
      clock.advance(60_000);
    }
    expect(await eventsOf(device.id, TAKEOVER_EVENTS.repeated)).toEqual([]);
    await takeOver(device);
    const alerts = await eventsOf(device.id, TAKEOVER_EVENTS.repeated);
    expect(alerts).toHaveLength(1);
    expect(JSON.parse(alerts[0]?.data ?? "{}")).toMatchObject({
      deviceId: device.id,
      takeovers: TAKEOVER_ALERT.count,
      alert: "owner",
    });
    for (;;) {
      const message = await stream.next(5_000);
      if (message.event !== TAKEOVER_EVENTS.repeated) continue;
      expect(JSON.parse(message.data)).toMatchObject({ subjectId: device.id, siteId: device.siteId });
      break;
    }

    // More takeovers in the same window add to the count, not to the alerts.
    await takeOver(device);
    expect(await eventsOf(device.id, TAKEOVER_EVENTS.repeated)).toHaveLength(1);
    expect((await deviceView(device))?.takeovers).toMatchObject({ count: TAKEOVER_ALERT.count + 1 });
  });
});

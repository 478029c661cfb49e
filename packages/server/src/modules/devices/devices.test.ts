import { ManualClock } from "@threshold/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEventsAbout } from "../../test/audit.js";
import { TEST_DATABASES } from "../../test/databases.js";
import { connectAsDevice } from "../../test/devices.js";
import { type SignedInUser, signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { type ApiRequest, apiClient } from "../../test/http.js";
import { createSite, pairDevice } from "../../test/pairing.js";
import { secretMatches } from "../auth/tokens.js";
import { reportState, STREAMING, sendVideo } from "../shipments/test-support/index.js";

describe.each(TEST_DATABASES)("devices on %s", (database) => {
  const clock = new ManualClock();
  let server: TestServer;
  let request: ApiRequest;
  let alice: SignedInUser;
  let bob: SignedInUser;
  let aliceSite: string;
  let bobSite: string;

  beforeAll(async () => {
    server = await startTestServer({ database, clock });
    request = apiClient(server.url);
    alice = await signInAs(server, "recipient");
    bob = await signInAs(server, "recipient");
    aliceSite = (await createSite(request, alice)).id;
    bobSite = (await createSite(request, bob)).id;
  });
  afterAll(() => server.destroy());

  it("lists a site's devices and shows one, with kind, model and online state", async () => {
    const lock = await pairDevice(request, alice, aliceSite, "lock", "Back door");
    const list = await request("GET", `/v1/sites/${aliceSite}/devices`, { cookie: alice.cookie });
    expect(list.status).toBe(200);
    expect(list.body.devices).toContainEqual(lock.device);
    const one = await request("GET", `/v1/devices/${lock.device.id}`, { cookie: alice.cookie });
    expect(one.status).toBe(200);
    expect(one.body).toEqual(lock.device);
    expect(one.body).toMatchObject({ kind: "lock", model: "Test model", online: false, reportedState: null });
  });

  it("is online only while connected and heard from within 2.5 heartbeats", async () => {
    const { device } = await pairDevice(request, alice, aliceSite, "camera");
    const heard = clock.now();
    // What the gateway records when a device reports its state.
    await server.ctx.db
      .updateTable("devices")
      .set({ online: 1, last_seen_at: heard, reported_state: JSON.stringify({ streaming: true }) })
      .where("id", "=", device.id)
      .execute();
    const get = () => request("GET", `/v1/devices/${device.id}`, { cookie: alice.cookie });

    expect((await get()).body).toMatchObject({
      online: true,
      lastSeenAt: new Date(heard).toISOString(),
      reportedState: { streaming: true },
    });
    clock.advance(2.5 * server.config.deviceHeartbeatMs);
    expect((await get()).body.online).toBe(true);
    clock.advance(1);
    expect((await get()).body).toMatchObject({ online: false, lastSeenAt: new Date(heard).toISOString() });

    await server.ctx.db
      .updateTable("devices")
      .set({ online: 0, last_seen_at: clock.now() })
      .where("id", "=", device.id)
      .execute();
    expect((await get()).body.online).toBe(false);
  });

  it("shows a camera's video as the server sees it, not as the camera claims", async () => {
    const { device, keys } = await pairDevice(request, alice, aliceSite, "camera");
    const get = async () => (await request("GET", `/v1/devices/${device.id}`, { cookie: alice.cookie })).body;
    await reportState(server, device.id, STREAMING);
    expect((await get()).video).toEqual({ freshness: "stale", lastFrameAt: null });
    await sendVideo(server, device.id, keys);
    const fresh = await get();
    expect(fresh.video).toEqual({ freshness: "live", lastFrameAt: new Date(clock.now()).toISOString() });
    clock.advance(5_001);
    expect((await get()).video).toEqual({ freshness: "stale", lastFrameAt: fresh.video.lastFrameAt });
    const list = await request("GET", `/v1/sites/${aliceSite}/devices`, { cookie: alice.cookie });
    expect(list.body.devices.find((d: { id: string }) => d.id === device.id).video.freshness).toBe("stale");
    const lock = await pairDevice(request, alice, aliceSite, "lock");
    expect(lock.device.video).toBeNull();
  });

  it("renames a device", async () => {
    const { device } = await pairDevice(request, alice, aliceSite, "keypad");
    const res = await request("PATCH", `/v1/devices/${device.id}`, {
      cookie: alice.cookie,
      body: { name: "  Gate keypad " },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...device, name: "Gate keypad" });
    expect((await auditEventsAbout(server, device.id)).slice(1)).toMatchObject([
      {
        type: "device.renamed",
        siteId: aliceSite,
        actorType: "user",
        actorId: alice.id,
        data: { name: "Gate keypad", previousName: device.name },
      },
    ]);
    for (const body of [{ name: "" }, { name: "  " }, { name: "x".repeat(101) }, {}, { name: "ok", kind: "lock" }]) {
      const bad = await request("PATCH", `/v1/devices/${device.id}`, { cookie: alice.cookie, body });
      expect(bad.status, JSON.stringify(body)).toBe(400);
    }
  });

  it("hides another recipient's devices on every endpoint", async () => {
    const bobs = await pairDevice(request, bob, bobSite, "lock");
    const id = bobs.device.id;
    const calls = [
      request("GET", `/v1/devices/${id}`, { cookie: alice.cookie }),
      request("PATCH", `/v1/devices/${id}`, { cookie: alice.cookie, body: { name: "Mine now" } }),
      request("DELETE", `/v1/devices/${id}`, { cookie: alice.cookie }),
      request("GET", `/v1/sites/${bobSite}/devices`, { cookie: alice.cookie }),
    ];
    for (const res of await Promise.all(calls)) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("not_found");
    }
    const courier = await signInAs(server, "courier");
    expect((await request("GET", `/v1/devices/${id}`, { cookie: courier.cookie })).status).toBe(404);
    expect((await request("GET", `/v1/devices/${id}`)).status).toBe(401);
    // Nothing changed.
    const still = await request("GET", `/v1/devices/${id}`, { cookie: bob.cookie });
    expect(still.body).toEqual(bobs.device);
    expect((await auditEventsAbout(server, id)).map((e) => e.type)).toEqual(["device.paired"]);

    // Operators may read, but not change.
    const operator = await signInAs(server, "operator");
    expect((await request("GET", `/v1/devices/${id}`, { cookie: operator.cookie })).status).toBe(200);
    expect((await request("GET", `/v1/sites/${bobSite}/devices`, { cookie: operator.cookie })).status).toBe(200);
    const opRename = await request("PATCH", `/v1/devices/${id}`, { cookie: operator.cookie, body: { name: "x" } });
    expect(opRename.status).toBe(403);
    expect((await request("DELETE", `/v1/devices/${id}`, { cookie: operator.cookie })).status).toBe(403);
  });

  it("answers garbage device ids with 400 or 404, never 500", async () => {
    const ids = [
      "nope",
      `dev_${"0".repeat(27)}`,
      `sit_${"0".repeat(26)}`,
      "dev_%27%3B%20drop%20table%20devices",
      "%C0",
    ];
    for (const id of ids) {
      for (const method of ["GET", "PATCH", "DELETE"]) {
        const res = await request(method, `/v1/devices/${id}`, {
          cookie: alice.cookie,
          ...(method === "PATCH" ? { body: { name: "x" } } : {}),
        });
        expect([400, 404], `${method} ${id}`).toContain(res.status);
      }
    }
    const unknown = await request("GET", `/v1/devices/dev_${"0".repeat(26)}`, { cookie: alice.cookie });
    expect(unknown.status).toBe(404);
  });

  it("removes a device: invisible afterwards, its secret replaced, its connection dropped", async () => {
    const paired = await pairDevice(request, alice, aliceSite, "lock");
    const id = paired.device.id;
    const client = await connectAsDevice(server.ctx.mqttUrl, { id, password: paired.mqtt.password });
    const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
    const before = await server.ctx.db.selectFrom("devices").selectAll().where("id", "=", id).executeTakeFirstOrThrow();

    const res = await request("DELETE", `/v1/devices/${id}`, { cookie: alice.cookie });
    expect(res.status).toBe(204);
    await closed;

    const after = await server.ctx.db.selectFrom("devices").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    expect(after.removed_at).toBe(clock.now());
    expect(after.secret_hash).not.toBe(before.secret_hash);
    expect(secretMatches(paired.mqtt.password, after.secret_hash)).toBe(false);
    await expect(connectAsDevice(server.ctx.mqttUrl, { id, password: paired.mqtt.password })).rejects.toThrow();

    for (const res of [
      await request("GET", `/v1/devices/${id}`, { cookie: alice.cookie }),
      await request("PATCH", `/v1/devices/${id}`, { cookie: alice.cookie, body: { name: "x" } }),
      await request("DELETE", `/v1/devices/${id}`, { cookie: alice.cookie }),
    ]) {
      expect(res.status).toBe(404);
    }
    const list = await request("GET", `/v1/sites/${aliceSite}/devices`, { cookie: alice.cookie });
    expect(list.body.devices.map((d: { id: string }) => d.id)).not.toContain(id);
    const site = await request("GET", `/v1/sites/${aliceSite}`, { cookie: alice.cookie });
    expect(site.body.devices.map((d: { id: string }) => d.id)).not.toContain(id);
    expect((await auditEventsAbout(server, id)).map((e) => [e.type, e.siteId, e.actorId])).toEqual([
      ["device.paired", aliceSite, alice.id],
      ["device.removed", aliceSite, alice.id],
    ]);
  });

  it("refuses to remove a device that opens an access point, until the access point is gone", async () => {
    const lock = await pairDevice(request, alice, aliceSite, "lock");
    const camera = await pairDevice(request, alice, aliceSite, "camera");
    const ap = await request("POST", `/v1/sites/${aliceSite}/access-points`, {
      cookie: alice.cookie,
      body: {
        kind: "fridge",
        name: "Garage fridge",
        actuatorDeviceId: lock.device.id,
        cameraDeviceIds: [camera.device.id],
      },
    });
    expect(ap.status).toBe(201);

    const refused = await request("DELETE", `/v1/devices/${lock.device.id}`, { cookie: alice.cookie });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("conflict");
    expect(refused.body.error.message).toContain(ap.body.id);
    expect(refused.body.error.message).toContain("Garage fridge");
    // Refusal changed nothing, and recorded nothing.
    expect((await request("GET", `/v1/devices/${lock.device.id}`, { cookie: alice.cookie })).status).toBe(200);
    expect((await auditEventsAbout(server, lock.device.id)).map((e) => e.type)).toEqual(["device.paired"]);

    // A camera can go; it is unlinked from the access point.
    expect((await request("DELETE", `/v1/devices/${camera.device.id}`, { cookie: alice.cookie })).status).toBe(204);
    const apNow = await request("GET", `/v1/access-points/${ap.body.id}`, { cookie: alice.cookie });
    expect(apNow.body).toMatchObject({ cameraDeviceIds: [], cameras: [] });

    expect((await request("DELETE", `/v1/access-points/${ap.body.id}`, { cookie: alice.cookie })).status).toBe(204);
    expect((await request("DELETE", `/v1/devices/${lock.device.id}`, { cookie: alice.cookie })).status).toBe(204);
  });
});

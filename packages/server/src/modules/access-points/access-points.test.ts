import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEventsAbout } from "../../test/audit.js";
import { TEST_DATABASES } from "../../test/databases.js";
import { type SignedInUser, signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { type ApiRequest, apiClient } from "../../test/http.js";
import { createSite, type PairedTestDevice, pairDevice } from "../../test/pairing.js";

describe.each(TEST_DATABASES)("access points on %s", (database) => {
  let server: TestServer;
  let request: ApiRequest;
  let alice: SignedInUser;
  let bob: SignedInUser;
  let aliceSite: string;
  let aliceOtherSite: string;
  let bobSite: string;
  let lock: PairedTestDevice;
  let camera: PairedTestDevice;
  let opener: PairedTestDevice;

  const create = (siteId: string, body: object, user: SignedInUser = alice) =>
    request("POST", `/v1/sites/${siteId}/access-points`, { cookie: user.cookie, body });

  beforeAll(async () => {
    server = await startTestServer({ database });
    request = apiClient(server.url);
    alice = await signInAs(server, "recipient");
    bob = await signInAs(server, "recipient");
    aliceSite = (await createSite(request, alice, "Home")).id;
    aliceOtherSite = (await createSite(request, alice, "Cottage")).id;
    bobSite = (await createSite(request, bob, "Bob's")).id;
    lock = await pairDevice(request, alice, aliceSite, "lock", "Door lock");
    camera = await pairDevice(request, alice, aliceSite, "camera", "Porch camera");
    opener = await pairDevice(request, alice, aliceSite, "garage_opener", "Garage opener");
  });
  afterAll(() => server.destroy());

  it("links a lock and a camera into a front door, shown with their current state", async () => {
    const res = await create(aliceSite, {
      kind: "front_door",
      name: "Front door",
      actuatorDeviceId: lock.device.id,
      cameraDeviceIds: [camera.device.id],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^acp_[0-9a-z]{26}$/),
      siteId: aliceSite,
      kind: "front_door",
      name: "Front door",
      actuatorDeviceId: lock.device.id,
      cameraDeviceIds: [camera.device.id],
      viaAccessPointId: null,
      createdAt: expect.any(String),
      actuator: lock.device,
      cameras: [camera.device],
      fridge: null,
      garage: null,
    });

    const one = await request("GET", `/v1/access-points/${res.body.id}`, { cookie: alice.cookie });
    expect(one.status).toBe(200);
    expect(one.body).toEqual(res.body);

    const list = await request("GET", `/v1/sites/${aliceSite}/access-points`, { cookie: alice.cookie });
    expect(list.status).toBe(200);
    const { actuator: _a, cameras: _c, fridge: _f, garage: _g, ...summary } = res.body;
    expect(list.body.accessPoints).toContainEqual(summary);

    expect(await auditEventsAbout(server, res.body.id)).toMatchObject([
      {
        type: "access_point.created",
        subjectType: "access_point",
        siteId: aliceSite,
        actorType: "user",
        actorId: alice.id,
        data: {
          kind: "front_door",
          name: "Front door",
          actuatorDeviceId: lock.device.id,
          cameraDeviceIds: [camera.device.id],
        },
      },
    ]);
  });

  it("accepts an access point without cameras (visits will be refused until one is added)", async () => {
    const res = await create(aliceSite, { kind: "garage", name: "Garage", actuatorDeviceId: opener.device.id });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ cameraDeviceIds: [], cameras: [] });
  });

  it("requires an actuator of the right kind, and cameras that are cameras", async () => {
    const cameraAsActuator = await create(aliceSite, {
      kind: "front_door",
      name: "Door",
      actuatorDeviceId: camera.device.id,
      cameraDeviceIds: [],
    });
    expect(cameraAsActuator.status).toBe(422);
    expect(cameraAsActuator.body.error).toMatchObject({
      code: "device_kind_mismatch",
      details: { field: "actuatorDeviceId", expected: ["lock"], actual: "camera" },
    });
    expect(cameraAsActuator.body.error.message).toMatch(/front_door is opened by a lock/);

    const lockForGarage = await create(aliceSite, { kind: "garage", name: "G", actuatorDeviceId: lock.device.id });
    expect(lockForGarage.status).toBe(422);
    expect(lockForGarage.body.error.details.expected).toEqual(["garage_opener"]);

    const lockAsCamera = await create(aliceSite, {
      kind: "front_door",
      name: "Door",
      actuatorDeviceId: lock.device.id,
      cameraDeviceIds: [opener.device.id],
    });
    expect(lockAsCamera.status).toBe(422);
    expect(lockAsCamera.body.error.details).toMatchObject({ field: "cameraDeviceIds", expected: ["camera"] });
  });

  it("chains a fridge behind a front door of its own site, and refuses every other chain, storing nothing", async () => {
    const fridgeLock = await pairDevice(request, alice, aliceSite, "lock", "Fridge lock");
    const door = await create(aliceSite, { kind: "front_door", name: "Back door", actuatorDeviceId: lock.device.id });
    const garage = await create(aliceSite, { kind: "garage", name: "Side garage", actuatorDeviceId: opener.device.id });
    const otherDoor = await create(aliceOtherSite, {
      kind: "front_door",
      name: "Cottage door",
      actuatorDeviceId: (await pairDevice(request, alice, aliceOtherSite, "lock", "Cottage lock")).device.id,
    });
    const countBefore = (await request("GET", `/v1/sites/${aliceSite}/access-points`, { cookie: alice.cookie })).body
      .accessPoints.length;
    const fridge = (viaAccessPointId: string, kind = "fridge") =>
      create(aliceSite, { kind, name: "Fridge", actuatorDeviceId: fridgeLock.device.id, viaAccessPointId });

    const notAFridge = await create(aliceSite, {
      kind: "front_door",
      name: "Porch",
      actuatorDeviceId: lock.device.id,
      viaAccessPointId: door.body.id,
    });
    expect([notAFridge.status, notAFridge.body.error.code]).toEqual([400, "invalid_request"]);
    const behindGarage = await fridge(garage.body.id);
    expect([behindGarage.status, behindGarage.body.error.code]).toEqual([400, "invalid_request"]);
    const elsewhere = await fridge(otherDoor.body.id);
    expect([elsewhere.status, elsewhere.body.error.code]).toEqual([404, "not_found"]);
    const malformed = await fridge("acp_nope");
    expect(malformed.status).toBe(400);
    const bobsTry = await create(
      bobSite,
      { kind: "fridge", name: "Fridge", actuatorDeviceId: fridgeLock.device.id, viaAccessPointId: door.body.id },
      bob,
    );
    expect(bobsTry.status).toBe(404);
    expect(
      (await request("GET", `/v1/sites/${aliceSite}/access-points`, { cookie: alice.cookie })).body.accessPoints.length,
    ).toBe(countBefore);

    const chained = await fridge(door.body.id);
    expect(chained.status, JSON.stringify(chained.body)).toBe(201);
    expect(chained.body).toMatchObject({
      kind: "fridge",
      viaAccessPointId: door.body.id,
      fridge: { temperatureC: null, tooWarm: false },
      garage: null,
    });
    expect(await auditEventsAbout(server, chained.body.id)).toMatchObject([
      { type: "access_point.created", data: { kind: "fridge", viaAccessPointId: door.body.id } },
    ]);
  });

  it("answers devices of another site or another user as not found", async () => {
    const elsewhereCamera = await pairDevice(request, alice, aliceOtherSite, "camera");
    const bobsLock = await pairDevice(request, bob, bobSite, "lock");
    const attempts = [
      { kind: "front_door", name: "D", actuatorDeviceId: lock.device.id, cameraDeviceIds: [elsewhereCamera.device.id] },
      { kind: "front_door", name: "D", actuatorDeviceId: bobsLock.device.id, cameraDeviceIds: [] },
      { kind: "front_door", name: "D", actuatorDeviceId: `dev_${"0".repeat(26)}` },
    ];
    for (const body of attempts) {
      const res = await create(aliceSite, body);
      expect(res.status, JSON.stringify(body)).toBe(404);
      expect(res.body.error.code).toBe("not_found");
    }
    // Alice's devices cannot be used from Bob's site, nor can Bob use Alice's site.
    const intoBobs = await create(bobSite, { kind: "front_door", name: "D", actuatorDeviceId: lock.device.id });
    expect(intoBobs.status).toBe(404);
    const bobIntoAlices = await create(
      aliceSite,
      { kind: "front_door", name: "D", actuatorDeviceId: lock.device.id, cameraDeviceIds: [camera.device.id] },
      bob,
    );
    expect(bobIntoAlices.status).toBe(404);
  });

  it("rejects malformed access points with 400", async () => {
    const bodies = [
      { kind: "window", name: "W", actuatorDeviceId: lock.device.id },
      { kind: "front_door", name: "", actuatorDeviceId: lock.device.id },
      { kind: "front_door", name: "D", actuatorDeviceId: "dev_nope" },
      { kind: "front_door", name: "D", actuatorDeviceId: lock.device.id, cameraDeviceIds: ["x"] },
      {
        kind: "front_door",
        name: "D",
        actuatorDeviceId: lock.device.id,
        cameraDeviceIds: [camera.device.id, camera.device.id],
      },
      { kind: "front_door", name: "D", actuatorDeviceId: lock.device.id, siteId: bobSite },
    ];
    for (const body of bodies) {
      const res = await create(aliceSite, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect(
      (await create("sit_garbage", { kind: "front_door", name: "D", actuatorDeviceId: lock.device.id })).status,
    ).toBe(400);
  });

  it("hides another recipient's access points on every endpoint; operators may read", async () => {
    const bobsLock = await pairDevice(request, bob, bobSite, "lock");
    const bobs = await create(
      bobSite,
      { kind: "front_door", name: "Bob's door", actuatorDeviceId: bobsLock.device.id },
      bob,
    );
    expect(bobs.status).toBe(201);
    for (const res of [
      await request("GET", `/v1/access-points/${bobs.body.id}`, { cookie: alice.cookie }),
      await request("DELETE", `/v1/access-points/${bobs.body.id}`, { cookie: alice.cookie }),
      await request("GET", `/v1/sites/${bobSite}/access-points`, { cookie: alice.cookie }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("not_found");
    }
    expect((await request("GET", `/v1/access-points/${bobs.body.id}`, { cookie: bob.cookie })).status).toBe(200);

    const operator = await signInAs(server, "operator");
    expect((await request("GET", `/v1/access-points/${bobs.body.id}`, { cookie: operator.cookie })).status).toBe(200);
    expect((await request("DELETE", `/v1/access-points/${bobs.body.id}`, { cookie: operator.cookie })).status).toBe(
      403,
    );
    const opCreate = await create(
      bobSite,
      { kind: "front_door", name: "D", actuatorDeviceId: bobsLock.device.id },
      operator,
    );
    expect(opCreate.status).toBe(403);

    for (const id of ["nope", `acp_${"0".repeat(27)}`, `dev_${"0".repeat(26)}`]) {
      expect([400, 404]).toContain((await request("GET", `/v1/access-points/${id}`, { cookie: alice.cookie })).status);
      expect([400, 404]).toContain(
        (await request("DELETE", `/v1/access-points/${id}`, { cookie: alice.cookie })).status,
      );
    }
  });

  it("removes an access point: gone from the site, its devices still paired", async () => {
    const res = await create(aliceSite, {
      kind: "building_entrance",
      name: "Lobby",
      actuatorDeviceId: lock.device.id,
      cameraDeviceIds: [camera.device.id],
    });
    expect(res.status).toBe(201);
    expect((await request("DELETE", `/v1/access-points/${res.body.id}`, { cookie: alice.cookie })).status).toBe(204);
    expect((await request("GET", `/v1/access-points/${res.body.id}`, { cookie: alice.cookie })).status).toBe(404);
    expect((await request("DELETE", `/v1/access-points/${res.body.id}`, { cookie: alice.cookie })).status).toBe(404);
    const list = await request("GET", `/v1/sites/${aliceSite}/access-points`, { cookie: alice.cookie });
    expect(list.body.accessPoints.map((ap: { id: string }) => ap.id)).not.toContain(res.body.id);
    expect((await request("GET", `/v1/devices/${lock.device.id}`, { cookie: alice.cookie })).status).toBe(200);
    // Removed once, recorded once.
    expect((await auditEventsAbout(server, res.body.id)).map((e) => [e.type, e.siteId, e.actorId])).toEqual([
      ["access_point.created", aliceSite, alice.id],
      ["access_point.removed", aliceSite, alice.id],
    ]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEventsAbout } from "../../test/audit.js";
import { TEST_DATABASES } from "../../test/databases.js";
import { type SignedInUser, signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { type ApiRequest, apiClient } from "../../test/http.js";
import { createSite, pairDevice, SITE_BODY } from "../../test/pairing.js";

describe.each(TEST_DATABASES)("sites on %s", (database) => {
  let server: TestServer;
  let request: ApiRequest;
  let alice: SignedInUser;
  let bob: SignedInUser;

  beforeAll(async () => {
    server = await startTestServer({ database });
    request = apiClient(server.url);
    alice = await signInAs(server, "recipient");
    bob = await signInAs(server, "recipient");
  });
  afterAll(() => server.destroy());

  it("creates a site with the default geofence and shows it to its owner", async () => {
    const res = await request("POST", "/v1/sites", {
      cookie: alice.cookie,
      body: { ...SITE_BODY, name: "  Home  ", address: { ...SITE_BODY.address, line2: "3rd floor" } },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^sit_[0-9a-z]{26}$/),
      ownerId: alice.id,
      name: "Home",
      address: {
        line1: "Keizersgracht 1",
        line2: "3rd floor",
        city: "Amsterdam",
        postalCode: "1015 CJ",
        country: "NL",
      },
      location: { lat: 52.3731, lng: 4.8922 },
      geofenceRadiusM: 150,
      accessBlocked: false,
      accessBlockedAt: null,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });

    const detail = await request("GET", `/v1/sites/${res.body.id}`, { cookie: alice.cookie });
    expect(detail.status).toBe(200);
    expect(detail.body).toEqual({ ...res.body, accessPoints: [], devices: [] });

    const list = await request("GET", "/v1/sites", { cookie: alice.cookie });
    expect(list.body.sites.map((s: { id: string }) => s.id)).toContain(res.body.id);

    // The site's first event, readable by its owner; the address stays in the site row only.
    const events = await auditEventsAbout(server, res.body.id);
    expect(events).toMatchObject([
      {
        type: "site.created",
        subjectType: "site",
        siteId: res.body.id,
        actorType: "user",
        actorId: alice.id,
        data: { ownerId: alice.id, name: "Home" },
      },
    ]);
    expect(JSON.stringify(events)).not.toContain("Keizersgracht");
    const audit = await request("GET", `/v1/audit/events?siteId=${res.body.id}`, { cookie: alice.cookie });
    expect(audit.body.events.map((e: { type: string }) => e.type)).toEqual(["site.created"]);
  });

  it("keeps an explicit geofence and a missing second address line", async () => {
    const res = await request("POST", "/v1/sites", {
      cookie: alice.cookie,
      body: { ...SITE_BODY, geofenceRadiusM: 2000 },
    });
    expect(res.status).toBe(201);
    expect(res.body.geofenceRadiusM).toBe(2000);
    expect(res.body.address.line2).toBeNull();
  });

  it("rejects invalid sites with a clear 400", async () => {
    const bad = [
      { ...SITE_BODY, geofenceRadiusM: 9 },
      { ...SITE_BODY, geofenceRadiusM: 2001 },
      { ...SITE_BODY, geofenceRadiusM: 150.5 },
      { ...SITE_BODY, location: { lat: 91, lng: 0 } },
      { ...SITE_BODY, location: { lat: 0, lng: -181 } },
      { ...SITE_BODY, location: { lat: "52", lng: 4 } },
      { ...SITE_BODY, name: "   " },
      { ...SITE_BODY, address: { ...SITE_BODY.address, country: "nl" } },
      { ...SITE_BODY, address: { ...SITE_BODY.address, country: "NLD" } },
      { ...SITE_BODY, address: { ...SITE_BODY.address, country: "ZZ" } },
      { ...SITE_BODY, address: { ...SITE_BODY.address, country: "EU" } },
      { ...SITE_BODY, address: { ...SITE_BODY.address, city: undefined } },
      { ...SITE_BODY, ownerId: bob.id },
    ];
    for (const body of bad) {
      const res = await request("POST", "/v1/sites", { cookie: alice.cookie, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
    const zz = await request("POST", "/v1/sites", {
      cookie: alice.cookie,
      body: { ...SITE_BODY, address: { ...SITE_BODY.address, country: "ZZ" } },
    });
    expect(zz.body.error.message).toMatch(/ISO 3166-1 alpha-2/);
    // Nothing changed, so nothing was recorded.
    const recorded = await server.ctx.db
      .selectFrom("audit_events")
      .select("seq")
      .where("actor_id", "=", alice.id)
      .where("type", "=", "site.created")
      .execute();
    expect(recorded).toHaveLength(2); // the two sites created by the tests above
  });

  it("lets only recipients and building managers create sites", async () => {
    for (const role of ["courier", "carrier_admin", "operator"] as const) {
      const user = await signInAs(server, role);
      const res = await request("POST", "/v1/sites", { cookie: user.cookie, body: SITE_BODY });
      expect(res.status, role).toBe(403);
      expect(res.body.error.code).toBe("forbidden");
    }
    const anonymous = await request("POST", "/v1/sites", { body: SITE_BODY });
    expect(anonymous.status).toBe(401);
  });

  it("shows each recipient only their own sites; operators see all", async () => {
    const alices = await createSite(request, alice, "Alice's");
    const bobs = await createSite(request, bob, "Bob's");

    const aliceList = (await request("GET", "/v1/sites", { cookie: alice.cookie })).body.sites;
    expect(aliceList.every((s: { ownerId: string }) => s.ownerId === alice.id)).toBe(true);
    expect(aliceList.map((s: { id: string }) => s.id)).not.toContain(bobs.id);

    const bobReadsAlice = await request("GET", `/v1/sites/${alices.id}`, { cookie: bob.cookie });
    expect(bobReadsAlice.status).toBe(404);
    expect(bobReadsAlice.body.error.code).toBe("not_found");
    // Indistinguishable from a site that does not exist.
    const missing = await request("GET", `/v1/sites/sit_${"0".repeat(26)}`, { cookie: bob.cookie });
    expect(missing.body.error.message).toBe(bobReadsAlice.body.error.message);

    const courier = await signInAs(server, "courier");
    expect((await request("GET", `/v1/sites/${alices.id}`, { cookie: courier.cookie })).status).toBe(404);
    expect((await request("GET", "/v1/sites", { cookie: courier.cookie })).body.sites).toEqual([]);

    const operator = await signInAs(server, "operator");
    const all = (await request("GET", "/v1/sites", { cookie: operator.cookie })).body.sites;
    expect(all.map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining([alices.id, bobs.id]));
    expect((await request("GET", `/v1/sites/${bobs.id}`, { cookie: operator.cookie })).status).toBe(200);
  });

  it("answers garbage site ids with 400, never 500", async () => {
    for (const id of [
      "nope",
      "sit_",
      `sit_${"0".repeat(25)}`,
      `dev_${"0".repeat(26)}`,
      `sit_${"I".repeat(26)}`,
      "%00",
    ]) {
      const res = await request("GET", `/v1/sites/${id}`, { cookie: alice.cookie });
      expect(res.status, id).toBe(400);
    }
  });

  it("lists the site's access points and a summary of its devices", async () => {
    const site = await createSite(request, alice, "Detail");
    const lock = await pairDevice(request, alice, site.id, "lock", "Door lock");
    const camera = await pairDevice(request, alice, site.id, "camera", "Porch camera");
    const created = await request("POST", `/v1/sites/${site.id}/access-points`, {
      cookie: alice.cookie,
      body: {
        kind: "front_door",
        name: "Front door",
        actuatorDeviceId: lock.device.id,
        cameraDeviceIds: [camera.device.id],
      },
    });
    expect(created.status).toBe(201);

    const detail = await request("GET", `/v1/sites/${site.id}`, { cookie: alice.cookie });
    expect(detail.status).toBe(200);
    expect(detail.body.accessPoints).toEqual([
      {
        id: created.body.id,
        siteId: site.id,
        kind: "front_door",
        name: "Front door",
        actuatorDeviceId: lock.device.id,
        cameraDeviceIds: [camera.device.id],
        viaAccessPointId: null,
        createdAt: created.body.createdAt,
      },
    ]);
    expect(detail.body.devices).toHaveLength(2);
    expect(detail.body.devices).toEqual(
      expect.arrayContaining([
        { id: lock.device.id, kind: "lock", name: "Door lock", online: false, lastSeenAt: null },
        { id: camera.device.id, kind: "camera", name: "Porch camera", online: false, lastSeenAt: null },
      ]),
    );
  });

  it("says whether access is blocked now, in the list and the detail, to the owner and operators only", async () => {
    const home = await createSite(request, alice, "Blockable");
    const cabin = await createSite(request, alice, "Unblocked cabin");
    const bobs = await createSite(request, bob, "Bob's blockable");
    const stateIn = async (cookie: string, siteId: string) => {
      const detail = await request("GET", `/v1/sites/${siteId}`, { cookie });
      const listed = (await request("GET", "/v1/sites", { cookie })).body.sites.find(
        (s: { id: string }) => s.id === siteId,
      );
      expect(listed?.accessBlocked).toBe(detail.body.accessBlocked);
      expect(listed?.accessBlockedAt).toBe(detail.body.accessBlockedAt);
      return { accessBlocked: detail.body.accessBlocked, accessBlockedAt: detail.body.accessBlockedAt };
    };

    const blocked = await request("POST", "/v1/access/block", { cookie: alice.cookie, body: { siteId: home.id } });
    expect(blocked.status).toBe(200);
    const since = blocked.body.sites[0].blockedAt;
    expect(since).toEqual(expect.any(String));
    expect(await stateIn(alice.cookie, home.id)).toEqual({ accessBlocked: true, accessBlockedAt: since });
    expect(await stateIn(alice.cookie, cabin.id)).toEqual({ accessBlocked: false, accessBlockedAt: null });
    // Operators see the state; someone else's block shows on nobody else's sites.
    const operator = await signInAs(server, "operator");
    expect(await stateIn(operator.cookie, home.id)).toEqual({ accessBlocked: true, accessBlockedAt: since });
    expect(await stateIn(bob.cookie, bobs.id)).toEqual({ accessBlocked: false, accessBlockedAt: null });
    // Another recipient and anonymous callers learn nothing about it.
    const bobReads = await request("GET", `/v1/sites/${home.id}`, { cookie: bob.cookie });
    expect(bobReads.status).toBe(404);
    expect(JSON.stringify(bobReads.body)).not.toContain("accessBlocked");
    expect((await request("GET", `/v1/sites/${home.id}`)).status).toBe(401);
    expect((await request("GET", "/v1/sites")).status).toBe(401);

    const unblocked = await request("POST", "/v1/access/unblock", { cookie: alice.cookie, body: { siteId: home.id } });
    expect(unblocked.status).toBe(200);
    expect(await stateIn(alice.cookie, home.id)).toEqual({ accessBlocked: false, accessBlockedAt: null });
  });
});

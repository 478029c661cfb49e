import { ManualClock, newId } from "@threshold/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../../test/databases.js";
import { type SignedInUser, signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { type ApiRequest, apiClient } from "../../test/http.js";
import { createSite } from "../../test/pairing.js";
import {
  type Carrier,
  createShipment,
  type Home,
  insertDevice,
  setUpCarrier,
  setUpHome,
} from "./test-support/index.js";

describe.each(TEST_DATABASES)("a carrier's destinations on %s", (database) => {
  const clock = new ManualClock();
  let server: TestServer;
  let request: ApiRequest;
  let alice: SignedInUser;
  let bob: SignedInUser;
  let aliceHome: Home;
  let bobHome: Home;
  let acme: Carrier;
  let rival: Carrier;

  const destinationsOf = (auth: { bearer?: string; cookie?: string }) =>
    request("GET", "/v1/shipments/destinations", auth);

  beforeAll(async () => {
    server = await startTestServer({ database, clock });
    request = apiClient(server.url);
    alice = await signInAs(server, "recipient");
    bob = await signInAs(server, "recipient");
    // Alice allows in-home delivery (Amsterdam); Bob's door has no consent, so doorstep only, in UTC.
    aliceHome = await setUpHome(server, request, alice);
    bobHome = await setUpHome(server, request, bob, { consent: null });
    acme = await setUpCarrier(server, request);
    rival = await setUpCarrier(server, request);
    await createShipment(server, request, acme, bobHome.site.id, { method: "doorstep" });
    clock.advance(60_000);
    await createShipment(server, request, acme, aliceHome.site.id);
    await createShipment(server, request, rival, bobHome.site.id, { method: "doorstep" });
  });
  afterAll(() => server.destroy());

  it("lists the places the carrier shipped to, latest first, with the address, the methods they take and their zone", async () => {
    const res = await destinationsOf({ cookie: acme.admin.cookie });
    expect(res.status).toBe(200);
    expect(res.body.destinations).toEqual([
      {
        siteId: aliceHome.site.id,
        name: "Home",
        address: { line1: "Keizersgracht 1", line2: null, city: "Amsterdam", postalCode: "1015 CJ", country: "NL" },
        methods: [
          { method: "in_home", timeZone: "Europe/Amsterdam" },
          { method: "doorstep", timeZone: "Europe/Amsterdam" },
        ],
        lastShipmentAt: new Date(clock.now()).toISOString(),
      },
      expect.objectContaining({
        siteId: bobHome.site.id,
        methods: [{ method: "doorstep", timeZone: "UTC" }],
        lastShipmentAt: new Date(clock.now() - 60_000).toISOString(),
      }),
    ]);
    // Nothing about the owner: the label's address block, no more.
    expect(JSON.stringify(res.body)).not.toContain(alice.id);
    expect(JSON.stringify(res.body)).not.toContain(alice.email);
    // An API key reading shipments sees the same.
    const byKey = await destinationsOf({ bearer: acme.readKey });
    expect(byKey.status).toBe(200);
    expect(byKey.body).toEqual(res.body);
  });

  it("follows the recipient's consent: a method withdrawn is no longer offered", async () => {
    const put = await request("PUT", `/v1/access-points/${aliceHome.accessPointId}/consent`, {
      cookie: alice.cookie,
      body: { methods: [], days: [1], from: "08:00", to: "09:00", timezone: "Europe/Amsterdam" },
    });
    expect(put.status).toBe(200);
    const res = await destinationsOf({ cookie: acme.admin.cookie });
    const alices = res.body.destinations.find((d: { siteId: string }) => d.siteId === aliceHome.site.id);
    expect(alices.methods).toEqual([{ method: "doorstep", timeZone: "Europe/Amsterdam" }]);
  });

  it("offers the locker at a building with a locker bank, in the building's zone", async () => {
    const manager = await signInAs(server, "manager");
    const building = await createSite(request, manager, "Canal House");
    const controller = await insertDevice(server, manager, building.id, "locker_controller");
    await server.ctx.db
      .insertInto("locker_banks")
      .values({
        id: newId("lockerBank", clock.now()),
        site_id: building.id,
        name: "Lobby",
        controller_device_id: controller,
        pickup_period_s: 72 * 3600,
        overflow_distance_m: 500,
        package_room: null,
        wrong_code_limit: 5,
        lockout_s: 300,
        offline_since: null,
        created_at: clock.now(),
      })
      .execute();
    clock.advance(60_000);
    await createShipment(server, request, acme, building.id, { method: "doorstep" });
    const res = await destinationsOf({ cookie: acme.admin.cookie });
    expect(res.body.destinations[0]).toMatchObject({
      siteId: building.id,
      name: "Canal House",
      methods: [
        { method: "locker", timeZone: "UTC" },
        { method: "doorstep", timeZone: "UTC" },
      ],
    });
  });

  it("never lists another carrier's destinations, nor a site nobody shipped to", async () => {
    const unshipped = await createSite(request, bob, "Cabin");
    const res = await destinationsOf({ bearer: rival.key });
    expect(res.status).toBe(200);
    expect(res.body.destinations.map((d: { siteId: string }) => d.siteId)).toEqual([bobHome.site.id]);
    const fresh = await setUpCarrier(server, request);
    const none = await destinationsOf({ cookie: fresh.admin.cookie });
    expect(none.body).toEqual({ destinations: [] });
    expect(JSON.stringify(res.body)).not.toContain(unshipped.id);
  });

  it("is for carriers only: 401 without credentials, 403 for others and keys without shipments:read", async () => {
    expect((await destinationsOf({})).status).toBe(401);
    for (const auth of [{ cookie: alice.cookie }, { cookie: acme.courier.cookie }, { bearer: acme.writeKey }]) {
      const res = await destinationsOf(auth);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe("forbidden");
    }
    const operator = await signInAs(server, "operator");
    expect((await destinationsOf({ cookie: operator.cookie })).body.error.code).toBe("forbidden");
  });
});

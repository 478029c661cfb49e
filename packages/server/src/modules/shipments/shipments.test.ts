import { ManualClock } from "@threshold/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../../test/databases.js";
import { type SignedInUser, signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { type ApiRequest, apiClient } from "../../test/http.js";
import { createSite } from "../../test/pairing.js";
import {
  assign,
  auditEventsOf,
  type Carrier,
  createShipment,
  HOUR,
  type Home,
  iso,
  setUpCarrier,
  setUpHome,
  shipmentBody,
} from "./test-support/index.js";

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const MISSING_SHIPMENT = `shp_${"0".repeat(26)}`;

describe.each(TEST_DATABASES)("shipments on %s", (database) => {
  const clock = new ManualClock();
  let server: TestServer;
  let request: ApiRequest;
  let alice: SignedInUser;
  let bob: SignedInUser;
  let home: Home;
  let acme: Carrier;
  let rival: Carrier;

  beforeAll(async () => {
    server = await startTestServer({ database, clock });
    request = apiClient(server.url);
    alice = await signInAs(server, "recipient");
    bob = await signInAs(server, "recipient");
    home = await setUpHome(server, request, alice);
    acme = await setUpCarrier(server, request);
    rival = await setUpCarrier(server, request);
  });
  afterAll(() => server.destroy());

  describe("creating", () => {
    it("creates an in_home shipment with an API key, shows the carrier its own data, and records it", async () => {
      const now = clock.now();
      const body = {
        ...shipmentBody(server, home.site.id),
        size: { lengthCm: 30, widthCm: 20, heightCm: 10 },
        weightG: 1200,
        flags: { perishable: true, signatureRequired: false, valueCents: 4999 },
      };
      const res = await request("POST", "/v1/shipments", { bearer: acme.key, body });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^shp_[0-9a-z]{26}$/),
        trackingNumber: body.trackingNumber,
        siteId: home.site.id,
        method: "in_home",
        direction: "delivery",
        status: "created",
        window: { start: iso(now + HOUR), end: iso(now + 5 * HOUR) },
        // The home's zone (its front door's consent), the one its label prints the window in.
        timeZone: "Europe/Amsterdam",
        size: { lengthCm: 30, widthCm: 20, heightCm: 10 },
        weightG: 1200,
        flags: { perishable: true, signatureRequired: false, valueCents: 4999 },
        carrierId: acme.carrierId,
        courierId: null,
        deliveredAt: null,
        deliveredVisitId: null,
        createdAt: iso(now),
        updatedAt: iso(now),
      });
      // Nothing about the site or its owner goes back to the carrier.
      expect(JSON.stringify(res.body)).not.toContain(alice.id);
      expect(JSON.stringify(res.body)).not.toContain("Keizersgracht");

      const stored = await server.ctx.db
        .selectFrom("shipments")
        .selectAll()
        .where("id", "=", res.body.id)
        .executeTakeFirstOrThrow();
      expect(stored).toMatchObject({ recipient_id: alice.id, carrier_id: acme.carrierId, status: "created" });

      const events = await auditEventsOf(server, res.body.id, "shipment.");
      expect(events).toHaveLength(1);
      const keyId = acme.key.split("_").slice(1, 3).join("_");
      expect(events[0]).toMatchObject({
        type: "shipment.created",
        subject_type: "shipment",
        site_id: home.site.id,
        actor_type: "api_key",
        actor_id: keyId,
      });
      expect(JSON.parse(events[0]?.data ?? "{}")).toMatchObject({
        trackingNumber: body.trackingNumber,
        carrierId: acme.carrierId,
        method: "in_home",
      });
    });

    it("lets a signed-in carrier admin create, recorded as that user; defaults size, weight and flags", async () => {
      const res = await request("POST", "/v1/shipments", {
        cookie: acme.admin.cookie,
        body: shipmentBody(server, home.site.id, { method: "doorstep" }),
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        method: "doorstep",
        size: null,
        weightG: null,
        flags: { perishable: false, signatureRequired: false, valueCents: null },
      });
      const [event] = await auditEventsOf(server, res.body.id, "shipment.");
      expect(event).toMatchObject({ type: "shipment.created", actor_type: "user", actor_id: acme.admin.id });
    });

    it("refuses a carrier's own existing tracking number with 409; another carrier's is none of its business", async () => {
      const first = await createShipment(server, request, acme, home.site.id);
      const again = await request("POST", "/v1/shipments", {
        bearer: acme.key,
        body: shipmentBody(server, home.site.id, { trackingNumber: first.trackingNumber }),
      });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe("tracking_number_exists");
      // Tracking numbers are unique per carrier: a rival using the same number learns nothing.
      const rivals = await request("POST", "/v1/shipments", {
        bearer: rival.key,
        body: shipmentBody(server, home.site.id, { trackingNumber: first.trackingNumber }),
      });
      expect(rivals.status).toBe(201);
      const count = await server.ctx.db
        .selectFrom("shipments")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("tracking_number", "=", first.trackingNumber)
        .executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(2);
    });

    it("gives one of many concurrent creations of one tracking number a 201, the rest 409", async () => {
      const body = shipmentBody(server, home.site.id);
      const results = await Promise.all(
        Array.from({ length: 8 }, () => request("POST", "/v1/shipments", { bearer: acme.key, body })),
      );
      expect(results.filter((r) => r.status === 201)).toHaveLength(1);
      expect(results.filter((r) => r.status === 409).map((r) => r.body.error.code)).toEqual(
        Array(7).fill("tracking_number_exists"),
      );
    });

    it("refuses bad windows with 400 invalid_window", async () => {
      const now = clock.now();
      const windows = [
        { start: iso(now + HOUR), end: iso(now + HOUR) },
        { start: iso(now + 2 * HOUR), end: iso(now + HOUR) },
        { start: iso(now + HOUR), end: iso(now + 13 * HOUR + 1) },
        { start: iso(now), end: iso(now + 24 * HOUR) },
        { start: iso(now - 5 * HOUR), end: iso(now - HOUR) },
      ];
      for (const window of windows) {
        const res = await request("POST", "/v1/shipments", {
          bearer: acme.key,
          body: shipmentBody(server, home.site.id, { window }),
        });
        expect(res.status, JSON.stringify(window)).toBe(400);
        expect(res.body.error.code).toBe("invalid_window");
      }
      // Exactly 12 hours is fine, and so is a window already under way; offsets other than Z too.
      for (const window of [
        { start: iso(now + HOUR), end: iso(now + 13 * HOUR) },
        { start: iso(now - HOUR), end: iso(now + HOUR) },
        { start: "2026-11-25T12:00:00+01:00", end: "2026-11-25T16:00:00+01:00" },
      ]) {
        const res = await request("POST", "/v1/shipments", {
          bearer: acme.key,
          body: shipmentBody(server, home.site.id, { window }),
        });
        expect(res.status, JSON.stringify(window)).toBe(201);
      }
    });

    it("answers an unknown site with 404, like any id that is not there", async () => {
      const res = await request("POST", "/v1/shipments", {
        bearer: acme.key,
        body: shipmentBody(server, `sit_${"0".repeat(26)}`),
      });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("not_found");
    });

    it("refuses in_home with 422 no_consent unless a front door's consent allows in_home; doorstep needs nothing", async () => {
      const bare = await createSite(request, bob, "No door");
      const noConsent = await setUpHome(server, request, bob, { consent: null });
      const doorstepOnly = await setUpHome(server, request, bob, {
        consent: { methods: ["doorstep"], days: [1], from: "08:00", to: "09:00", timezone: "UTC" },
      });
      const withdrawn = await setUpHome(server, request, bob);
      const put = await request("PUT", `/v1/access-points/${withdrawn.accessPointId}/consent`, {
        cookie: bob.cookie,
        body: { methods: [], days: [1], from: "08:00", to: "09:00", timezone: "UTC" },
      });
      expect(put.status).toBe(200);
      const removed = await setUpHome(server, request, bob);
      expect(
        (await request("DELETE", `/v1/access-points/${removed.accessPointId}`, { cookie: bob.cookie })).status,
      ).toBe(204);

      for (const siteId of [bare.id, noConsent.site.id, doorstepOnly.site.id, withdrawn.site.id, removed.site.id]) {
        const res = await request("POST", "/v1/shipments", { bearer: acme.key, body: shipmentBody(server, siteId) });
        expect(res.status, siteId).toBe(422);
        expect(res.body.error.code).toBe("no_consent");
        const doorstep = await request("POST", "/v1/shipments", {
          bearer: acme.key,
          body: shipmentBody(server, siteId, { method: "doorstep" }),
        });
        expect(doorstep.status, siteId).toBe(201);
      }
      // Consent at some hour is enough to create: whether it allows the moment is checked at the door.
      const res = await request("POST", "/v1/shipments", {
        bearer: acme.key,
        body: shipmentBody(server, home.site.id),
      });
      expect(res.status).toBe(201);
    });

    it("rejects malformed input with 400 and stores nothing", async () => {
      const before = await server.ctx.db
        .selectFrom("shipments")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow();
      const valid = shipmentBody(server, home.site.id);
      const bad: Record<string, unknown>[] = [
        { ...valid, trackingNumber: "abc" },
        { ...valid, trackingNumber: "A".repeat(41) },
        { ...valid, trackingNumber: "AB CD" },
        { ...valid, trackingNumber: "ABCD/1" },
        { ...valid, trackingNumber: 12345 },
        { ...valid, siteId: "sit_nope" },
        { ...valid, siteId: `dev_${"0".repeat(26)}` },
        { ...valid, method: "teleport" },
        { ...valid, window: { start: valid.window.start } },
        { ...valid, window: { start: "2026-11-25T10:00:00", end: "2026-11-25T12:00:00" } },
        { ...valid, window: { start: "tomorrow", end: "later" } },
        { ...valid, window: "10-12" },
        { ...valid, size: { lengthCm: 0, widthCm: 1, heightCm: 1 } },
        { ...valid, size: { lengthCm: 10, widthCm: 10 } },
        { ...valid, size: { lengthCm: 10.5, widthCm: 10, heightCm: 10 } },
        { ...valid, weightG: "1200" },
        { ...valid, weightG: -1 },
        { ...valid, flags: { perishable: "yes" } },
        { ...valid, flags: { valueCents: -5 } },
        { ...valid, flags: { fragile: true } },
        { ...valid, recipientId: alice.id },
        { ...valid, carrierId: rival.carrierId },
        { siteId: home.site.id },
      ];
      for (const body of bad) {
        const res = await request("POST", "/v1/shipments", { bearer: acme.key, body });
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body.error.code).toBe("invalid_request");
      }
      const garbage = await request("POST", "/v1/shipments", { bearer: acme.key, rawBody: "{not json" });
      expect(garbage.status).toBe(400);
      expect(garbage.body.error.code).toBe("invalid_json");
      const after = await server.ctx.db
        .selectFrom("shipments")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(before.n));
    });

    it("lets only carriers create: keys need shipments:write; people other than carrier admins are refused", async () => {
      const body = () => shipmentBody(server, home.site.id);
      const readOnly = await request("POST", "/v1/shipments", { bearer: acme.readKey, body: body() });
      expect(readOnly.status).toBe(403);
      expect(readOnly.body.error.code).toBe("forbidden");
      for (const role of ["recipient", "courier", "operator", "manager"] as const) {
        const user = await signInAs(server, role);
        const res = await request("POST", "/v1/shipments", { cookie: user.cookie, body: body() });
        expect(res.status, role).toBe(403);
      }
      expect((await request("POST", "/v1/shipments", { body: body() })).status).toBe(401);
      expect((await request("POST", "/v1/shipments", { bearer: acme.writeKey, body: body() })).status).toBe(201);
    });
  });

  describe("assigning", () => {
    it("assigns to a courier of the carrier (created → assigned), records it, and can reassign", async () => {
      const shipment = await createShipment(server, request, acme, home.site.id);
      clock.advance(1000);
      const res = await request("POST", `/v1/shipments/${shipment.id}/assign`, {
        bearer: acme.key,
        body: { courierId: acme.courier.id },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: shipment.id, status: "assigned", courierId: acme.courier.id });
      expect(res.body.updatedAt).toBe(iso(clock.now()));

      // The same courier again changes nothing and records nothing.
      const again = await request("POST", `/v1/shipments/${shipment.id}/assign`, {
        cookie: acme.admin.cookie,
        body: { courierId: acme.courier.id },
      });
      expect(again.status).toBe(200);

      const reassigned = await request("POST", `/v1/shipments/${shipment.id}/assign`, {
        cookie: acme.admin.cookie,
        body: { courierId: acme.otherCourier.id },
      });
      expect(reassigned.status).toBe(200);
      expect(reassigned.body.courierId).toBe(acme.otherCourier.id);

      const events = await auditEventsOf(server, shipment.id, "shipment.");
      expect(events.map((e) => e.type)).toEqual(["shipment.created", "shipment.assigned", "shipment.assigned"]);
      expect(events[1]).toMatchObject({ site_id: home.site.id, actor_type: "api_key" });
      expect(JSON.parse(events[1]?.data ?? "{}")).toMatchObject({
        courierId: acme.courier.id,
        previousCourierId: null,
      });
      expect(events[2]).toMatchObject({ actor_type: "user", actor_id: acme.admin.id });
      expect(JSON.parse(events[2]?.data ?? "{}")).toMatchObject({
        courierId: acme.otherCourier.id,
        previousCourierId: acme.courier.id,
      });
    });

    it("answers another carrier's courier, a non-courier, a disabled courier and an unknown id alike: 404 courier_not_found", async () => {
      const shipment = await createShipment(server, request, acme, home.site.id);
      const disabled = await signInAs(server, "courier", { carrierId: acme.carrierId });
      await server.ctx.db
        .updateTable("users")
        .set({ disabled_at: clock.now() })
        .where("id", "=", disabled.id)
        .execute();
      const messages = new Set<string>();
      for (const courierId of [rival.courier.id, alice.id, acme.admin.id, disabled.id, `usr_${"0".repeat(26)}`]) {
        const res = await request("POST", `/v1/shipments/${shipment.id}/assign`, {
          bearer: acme.key,
          body: { courierId },
        });
        expect(res.status, courierId).toBe(404);
        expect(res.body.error.code).toBe("courier_not_found");
        messages.add(res.body.error.message);
      }
      expect(messages.size).toBe(1);
      const row = await server.ctx.db
        .selectFrom("shipments")
        .selectAll()
        .where("id", "=", shipment.id)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: "created", courier_id: null });
    });

    it("answers another carrier's shipment with 404 not_found, as for a missing one", async () => {
      const shipment = await createShipment(server, request, acme, home.site.id);
      const theirs = await request("POST", `/v1/shipments/${shipment.id}/assign`, {
        bearer: rival.key,
        body: { courierId: rival.courier.id },
      });
      expect(theirs.status).toBe(404);
      expect(theirs.body.error.code).toBe("not_found");
      const missing = await request("POST", `/v1/shipments/${MISSING_SHIPMENT}/assign`, {
        bearer: rival.key,
        body: { courierId: rival.courier.id },
      });
      expect(missing.status).toBe(404);
      expect(missing.body.error.message).toBe(theirs.body.error.message);
    });

    it("refuses a delivered or cancelled shipment, or one at the door, with 409 conflict", async () => {
      for (const status of ["delivered", "cancelled"]) {
        const shipment = await createShipment(server, request, acme, home.site.id);
        await server.ctx.db.updateTable("shipments").set({ status }).where("id", "=", shipment.id).execute();
        const res = await request("POST", `/v1/shipments/${shipment.id}/assign`, {
          bearer: acme.key,
          body: { courierId: acme.courier.id },
        });
        expect(res.status, status).toBe(409);
        expect(res.body.error.code).toBe("conflict");
      }
      const atDoor = await createShipment(server, request, acme, home.site.id);
      await assign(request, acme, atDoor.id, acme.courier);
      const now = clock.now();
      await server.ctx.db
        .insertInto("visits")
        .values({
          id: `vis_${"1".repeat(26)}`,
          shipment_id: atDoor.id,
          site_id: home.site.id,
          access_point_id: home.accessPointId,
          courier_id: acme.courier.id,
          carrier_id: acme.carrierId,
          status: "open",
          refusals: null,
          reason: null,
          courier_lat: null,
          courier_lng: null,
          requested_at: now,
          authorized_at: now,
          opened_at: now,
          securing_at: null,
          secured_at: null,
          ended_at: null,
          deadline_at: null,
          camera_device_id: null,
          lock_device_id: null,
          updated_at: now,
        })
        .execute();
      const res = await request("POST", `/v1/shipments/${atDoor.id}/assign`, {
        bearer: acme.key,
        body: { courierId: acme.otherCourier.id },
      });
      expect(res.status).toBe(409);
      await server.ctx.db
        .updateTable("visits")
        .set({ status: "secured" })
        .where("shipment_id", "=", atDoor.id)
        .execute();
    });

    it("checks scope, role and input", async () => {
      const shipment = await createShipment(server, request, acme, home.site.id);
      const path = `/v1/shipments/${shipment.id}/assign`;
      const body = { courierId: acme.courier.id };
      expect((await request("POST", path, { bearer: acme.readKey, body })).status).toBe(403);
      expect((await request("POST", path, { cookie: acme.courier.cookie, body })).status).toBe(403);
      expect((await request("POST", path, { cookie: alice.cookie, body })).status).toBe(403);
      expect((await request("POST", path, { body })).status).toBe(401);
      for (const bad of [{}, { courierId: "usr_nope" }, { courierId: 7 }, { ...body, status: "delivered" }]) {
        const res = await request("POST", path, { bearer: acme.key, body: bad });
        expect(res.status, JSON.stringify(bad)).toBe(400);
      }
      expect((await request("POST", "/v1/shipments/shp_nope/assign", { bearer: acme.key, body })).status).toBe(400);
    });
  });

  describe("reading", () => {
    let shipment: { id: string };
    beforeAll(async () => {
      shipment = await createShipment(server, request, acme, home.site.id, {
        flags: { perishable: false, signatureRequired: true, valueCents: 100 },
      });
      await assign(request, acme, shipment.id, acme.courier);
    });

    it("shows the carrier (key with shipments:read, or admin) its own data and the courier", async () => {
      for (const credentials of [{ bearer: acme.readKey }, { bearer: acme.key }, { cookie: acme.admin.cookie }]) {
        const res = await request("GET", `/v1/shipments/${shipment.id}`, credentials);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ id: shipment.id, courierId: acme.courier.id, carrierId: acme.carrierId });
        expect(res.body.flags.valueCents).toBe(100);
        expect(res.body).not.toHaveProperty("recipientId");
        expect(res.body).not.toHaveProperty("destination");
        expect(res.body).not.toHaveProperty("deliveryNotes");
      }
      const writeOnly = await request("GET", `/v1/shipments/${shipment.id}`, { bearer: acme.writeKey });
      expect(writeOnly.status).toBe(403);
    });

    it("shows the recipient who delivers what and when, not the courier", async () => {
      const res = await request("GET", `/v1/shipments/${shipment.id}`, { cookie: alice.cookie });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        id: shipment.id,
        recipientId: alice.id,
        carrierId: acme.carrierId,
        carrierName: "Test Carrier",
        siteId: home.site.id,
        status: "assigned",
      });
      expect(res.body).not.toHaveProperty("courierId");
      expect(res.body).not.toHaveProperty("deliveryNotes");
      expect(res.body.createdAt).toMatch(ISO);
    });

    it("shows the assigned courier where to go and the notes, nothing else", async () => {
      const res = await request("GET", `/v1/shipments/${shipment.id}`, { cookie: acme.courier.cookie });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        id: shipment.id,
        destination: {
          address: { line1: "Keizersgracht 1", city: "Amsterdam", postalCode: "1015 CJ", country: "NL", line2: null },
          location: { lat: 52.3731, lng: 4.8922 },
          geofenceRadiusM: 150,
        },
        deliveryNotes: "Dog shut in the kitchen.",
        flags: { perishable: false, signatureRequired: true },
      });
      for (const hidden of ["recipientId", "carrierId", "courierId", "carrierName"]) {
        expect(res.body, hidden).not.toHaveProperty(hidden);
      }
      expect(res.body.flags).not.toHaveProperty("valueCents");
    });

    it("shows operators everything", async () => {
      const operator = await signInAs(server, "operator");
      const res = await request("GET", `/v1/shipments/${shipment.id}`, { cookie: operator.cookie });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        recipientId: alice.id,
        courierId: acme.courier.id,
        carrierId: acme.carrierId,
        destination: { geofenceRadiusM: 150 },
      });
      expect(res.body).not.toHaveProperty("deliveryNotes");
    });

    it("answers everyone else 404, exactly as for a shipment that does not exist", async () => {
      const missing = await request("GET", `/v1/shipments/${MISSING_SHIPMENT}`, { bearer: acme.key });
      expect(missing.status).toBe(404);
      const manager = await signInAs(server, "manager");
      for (const credentials of [
        { bearer: rival.key },
        { cookie: rival.admin.cookie },
        { cookie: bob.cookie },
        { cookie: acme.otherCourier.cookie },
        { cookie: rival.courier.cookie },
        { cookie: manager.cookie },
      ]) {
        const res = await request("GET", `/v1/shipments/${shipment.id}`, credentials);
        expect(res.status, JSON.stringify(credentials)).toBe(404);
        expect(res.body.error).toMatchObject({ code: "not_found", message: missing.body.error.message });
      }
      expect((await request("GET", `/v1/shipments/${shipment.id}`)).status).toBe(401);
      for (const id of ["shp_nope", `sit_${"0".repeat(26)}`, `shp_${"I".repeat(26)}`]) {
        expect((await request("GET", `/v1/shipments/${id}`, { bearer: acme.key })).status, id).toBe(400);
      }
    });
  });

  describe("listing", () => {
    let carol: SignedInUser;
    let carolsHome: Home;
    let express: Carrier;
    const ids = { soon: "", later: "", now: "", someoneElse: "", otherCarrier: "" };

    beforeAll(async () => {
      carol = await signInAs(server, "recipient");
      carolsHome = await setUpHome(server, request, carol);
      express = await setUpCarrier(server, request);
      const now = clock.now();
      const windowAt = (startH: number) => ({
        window: { start: iso(now + startH * HOUR), end: iso(now + (startH + 2) * HOUR) },
      });
      ids.soon = (await createShipment(server, request, express, carolsHome.site.id, windowAt(1))).id;
      ids.later = (await createShipment(server, request, express, carolsHome.site.id, windowAt(30))).id;
      ids.now = (await createShipment(server, request, express, carolsHome.site.id, windowAt(0))).id;
      ids.someoneElse = (await createShipment(server, request, express, home.site.id, windowAt(2))).id;
      ids.otherCarrier = (await createShipment(server, request, acme, carolsHome.site.id, windowAt(3))).id;
      await assign(request, express, ids.soon, express.courier);
      await assign(request, express, ids.someoneElse, express.courier);
      await assign(request, express, ids.later, express.otherCourier);
    });

    const listIds = async (credentials: { cookie?: string; bearer?: string }, query = "") => {
      const res = await request("GET", `/v1/shipments${query}`, credentials);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.shipments.map((s: { id: string }) => s.id);
    };

    it("gives recipients their own, upcoming and past, latest window first", async () => {
      expect(await listIds({ cookie: carol.cookie })).toEqual([ids.later, ids.otherCarrier, ids.soon, ids.now]);
      clock.advance(2.5 * HOUR);
      try {
        expect(await listIds({ cookie: carol.cookie }, "?when=past")).toEqual([ids.now]);
        expect(await listIds({ cookie: carol.cookie }, "?when=upcoming")).toEqual([
          ids.later,
          ids.otherCarrier,
          ids.soon,
        ]);
      } finally {
        clock.advance(-2.5 * HOUR);
      }
      const res = await request("GET", "/v1/shipments", { cookie: carol.cookie });
      expect(res.body.shipments[0]).toMatchObject({ recipientId: carol.id, carrierName: "Test Carrier" });
      expect(res.body.shipments[0]).not.toHaveProperty("courierId");
    });

    it("gives carriers theirs, couriers theirs, operators all", async () => {
      const expressIds = await listIds({ bearer: express.readKey });
      expect(expressIds).toEqual([ids.later, ids.someoneElse, ids.soon, ids.now]);
      expect(await listIds({ cookie: express.admin.cookie })).toEqual(expressIds);
      expect(await listIds({ cookie: express.courier.cookie })).toEqual([ids.someoneElse, ids.soon]);
      expect(await listIds({ cookie: express.otherCourier.cookie })).toEqual([ids.later]);
      expect(await listIds({ cookie: express.courier.cookie }, "?status=assigned")).toEqual([
        ids.someoneElse,
        ids.soon,
      ]);
      expect(await listIds({ bearer: express.readKey }, "?status=created")).toEqual([ids.now]);
      const acmeIds = await listIds({ bearer: acme.readKey });
      expect(acmeIds).toContain(ids.otherCarrier);
      expect(acmeIds).not.toContain(ids.soon);

      const courierView = (await request("GET", "/v1/shipments", { cookie: express.courier.cookie })).body.shipments;
      expect(courierView[0]).toMatchObject({
        destination: { geofenceRadiusM: 150 },
        deliveryNotes: expect.any(String),
      });
      expect(courierView[0]).not.toHaveProperty("recipientId");

      const operator = await signInAs(server, "operator");
      expect(await listIds({ cookie: operator.cookie }, "?limit=200")).toEqual(
        expect.arrayContaining(Object.values(ids)),
      );
    });

    it("pages with limit and cursor", async () => {
      const first = await request("GET", "/v1/shipments?limit=3", { bearer: express.readKey });
      expect(first.body.shipments.map((s: { id: string }) => s.id)).toEqual([ids.later, ids.someoneElse, ids.soon]);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await request("GET", `/v1/shipments?limit=3&cursor=${first.body.nextCursor}`, {
        bearer: express.readKey,
      });
      expect(second.body).toEqual({ shipments: [expect.objectContaining({ id: ids.now })], nextCursor: null });
    });

    it("refuses bad queries with 400 and people without shipments with 403", async () => {
      for (const query of [
        "?limit=0",
        "?limit=201",
        "?limit=ten",
        "?status=lost",
        "?when=soon",
        "?cursor=bm9wZQ",
        "?x=1",
      ]) {
        const res = await request("GET", `/v1/shipments${query}`, { cookie: carol.cookie });
        expect(res.status, query).toBe(400);
        expect(res.body.error.code).toBe("invalid_request");
      }
      const manager = await signInAs(server, "manager");
      expect((await request("GET", "/v1/shipments", { cookie: manager.cookie })).status).toBe(403);
      expect((await request("GET", "/v1/shipments", { bearer: express.writeKey })).status).toBe(403);
      expect((await request("GET", "/v1/shipments")).status).toBe(401);
    });
  });
});

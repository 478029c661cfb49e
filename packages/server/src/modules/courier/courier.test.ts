import { ManualClock } from "@threshold/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../../test/databases.js";
import { type SignedInUser, signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { type ApiRequest, apiClient, type Json } from "../../test/http.js";
import { createSite } from "../../test/pairing.js";
import {
  assign,
  type Carrier,
  CONSENT_BODY,
  createShipment,
  HOUR,
  type Home,
  iso,
  LOCKED_CLOSED,
  reportState,
  STREAMING,
  sendVideo,
  setUpCarrier,
  setUpHome,
} from "../shipments/test-support/index.js";

const READY = {
  lockOnline: true,
  lockLocked: true,
  doorClosed: true,
  cameraLive: true,
  consentGiven: true,
  blocked: false,
  inWindow: true,
  windowOpensAt: null,
  ready: true,
};

describe.each(TEST_DATABASES)("courier stops on %s", (database) => {
  // Wednesday 25 November 2026, 09:00 UTC (10:00 in Amsterdam).
  const clock = new ManualClock();
  let server: TestServer;
  let request: ApiRequest;
  let alice: SignedInUser;
  let bob: SignedInUser;
  let alicesHome: Home;
  let bobsHome: Home;
  let acme: Carrier;
  let rival: Carrier;
  const ids: Record<string, string> = {};

  const window = (startH: number, lengthH = 2) => ({
    window: { start: iso(clock.now() + startH * HOUR), end: iso(clock.now() + (startH + lengthH) * HOUR) },
  });

  beforeAll(async () => {
    server = await startTestServer({ database, clock });
    request = apiClient(server.url);
    alice = await signInAs(server, "recipient");
    bob = await signInAs(server, "recipient");
    alicesHome = await setUpHome(server, request, alice);
    bobsHome = await setUpHome(server, request, bob, { consent: { ...CONSENT_BODY, notes: "" } });
    const doorless = await createSite(request, bob, "Office");
    acme = await setUpCarrier(server, request);
    rival = await setUpCarrier(server, request);

    const make = async (name: string, siteId: string, overrides: Record<string, unknown>, courier?: SignedInUser) => {
      ids[name] = (await createShipment(server, request, acme, siteId, overrides)).id;
      if (courier) await assign(request, acme, ids[name] as string, courier);
    };
    await make(
      "alice",
      alicesHome.site.id,
      // Inside its window now, like bob's: their readiness is about the doors alone.
      { ...window(-0.25, 3), flags: { perishable: true, valueCents: 123_456_789 } },
      acme.courier,
    );
    await make(
      "bob",
      bobsHome.site.id,
      { ...window(-0.5), size: { lengthCm: 1, widthCm: 2, heightCm: 3 } },
      acme.courier,
    );
    await make("doorstep", doorless.id, { ...window(2), method: "doorstep", weightG: 500 }, acme.courier);
    await make("tomorrow", alicesHome.site.id, window(20), acme.courier);
    await make("tooLate", alicesHome.site.id, window(25), acme.courier);
    await make("otherCourier", alicesHome.site.id, window(1), acme.otherCourier);
    await make("unassigned", alicesHome.site.id, window(1));
    await make("delivered", alicesHome.site.id, window(1), acme.courier);
    await make("yesterday", alicesHome.site.id, window(1), acme.courier);
    await server.ctx.db
      .updateTable("shipments")
      .set({ status: "delivered", delivered_at: clock.now() })
      .where("id", "=", ids.delivered as string)
      .execute();
    // A window that ended before today began (UTC) is no longer a stop, even if undelivered.
    await server.ctx.db
      .updateTable("shipments")
      .set({ window_start: clock.now() - 14 * HOUR, window_end: clock.now() - 10 * HOUR })
      .where("id", "=", ids.yesterday as string)
      .execute();
  });
  afterAll(() => server.destroy());

  const stops = async (courier: SignedInUser = acme.courier): Promise<Json[]> => {
    const res = await request("GET", "/v1/courier/stops", { cookie: courier.cookie });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.stops;
  };
  const stopOf = async (name: string) => (await stops()).find((s) => s.shipmentId === ids[name]);

  it("lists today's and the next 24 h's assigned, undelivered stops, earliest window first", async () => {
    const list = await stops();
    expect(list.map((s) => s.shipmentId)).toEqual([ids.bob, ids.alice, ids.doorstep, ids.tomorrow]);
    expect(await stops(acme.otherCourier)).toEqual([expect.objectContaining({ shipmentId: ids.otherCourier })]);
    expect(await stops(rival.courier)).toEqual([]);
  });

  it("gives each stop where to go, the front door and its notes, and a readiness check — nothing about the recipient", async () => {
    const stop = await stopOf("alice");
    expect(stop).toEqual({
      shipmentId: ids.alice,
      trackingNumber: expect.any(String),
      method: "in_home",
      direction: "delivery",
      window: { start: iso(clock.now() - 0.25 * HOUR), end: iso(clock.now() + 2.75 * HOUR) },
      // The home's zone, as its label prints the window in; a site without a door falls back to UTC.
      timeZone: "Europe/Amsterdam",
      siteId: alicesHome.site.id,
      site: {
        address: { line1: "Keizersgracht 1", line2: null, city: "Amsterdam", postalCode: "1015 CJ", country: "NL" },
        location: { lat: 52.3731, lng: 4.8922 },
        geofenceRadiusM: 150,
      },
      size: null,
      weightG: null,
      flags: { perishable: true, signatureRequired: false },
      accessPoint: {
        id: alicesHome.accessPointId,
        kind: "front_door",
        name: "Front door",
        notes: "Dog shut in the kitchen.",
      },
      deliveredAt: null,
      readiness: READY,
    });
    const text = JSON.stringify(stop);
    // The declared value is long enough that no random id in the stop can contain it by chance.
    for (const secret of [alice.id, "valueCents", "123456789", "Home", alicesHome.lockId, alicesHome.cameraId]) {
      expect(text, secret).not.toContain(secret);
    }
    const doorstep = await stopOf("doorstep");
    expect(doorstep).toMatchObject({
      method: "doorstep",
      weightG: 500,
      accessPoint: null,
      readiness: null,
      timeZone: "UTC",
    });
    expect((await stopOf("bob"))?.size).toEqual({ lengthCm: 1, widthCm: 2, heightCm: 3 });
  });

  it("says when the lock is offline, unlocked, jammed or its door open, and fails closed on stale reports", async () => {
    const check = async (expected: Partial<typeof READY>) =>
      expect((await stopOf("bob"))?.readiness).toEqual({ ...READY, ...expected, ready: false });
    try {
      await reportState(server, bobsHome.lockId, { ...LOCKED_CLOSED, door: "open" });
      await check({ doorClosed: false });
      await reportState(server, bobsHome.lockId, { ...LOCKED_CLOSED, lock: "unlocked" });
      await check({ lockLocked: false });
      await reportState(server, bobsHome.lockId, { ...LOCKED_CLOSED, lock: "jammed" });
      await check({ lockLocked: false });
      await reportState(server, bobsHome.lockId, LOCKED_CLOSED);
      await server.ctx.db.updateTable("devices").set({ online: 0 }).where("id", "=", bobsHome.lockId).execute();
      await check({ lockOnline: false, lockLocked: false, doorClosed: false });
      // Connected, but silent for more than 2.5 heartbeats: its last report cannot be trusted.
      await reportState(server, bobsHome.lockId, LOCKED_CLOSED);
      await server.ctx.db
        .updateTable("devices")
        .set({ last_seen_at: clock.now() - 2.5 * server.config.deviceHeartbeatMs - 1 })
        .where("id", "=", bobsHome.lockId)
        .execute();
      await check({ lockOnline: false, lockLocked: false, doorClosed: false });
      await server.ctx.db
        .updateTable("devices")
        .set({ last_seen_at: clock.now() - 2.5 * server.config.deviceHeartbeatMs })
        .where("id", "=", bobsHome.lockId)
        .execute();
      expect((await stopOf("bob"))?.readiness).toEqual(READY);
    } finally {
      await reportState(server, bobsHome.lockId, LOCKED_CLOSED);
    }
  });

  it("says the camera is live only while its video is fresh, whatever the camera says of itself", async () => {
    const notLive = { ...READY, cameraLive: false, ready: false };
    try {
      // A 2 s segment is fresh for 2 durations plus 1 s of upload slack after it arrived.
      await sendVideo(server, bobsHome.cameraId);
      const arrivedAgo = (ms: number) =>
        server.ctx.db
          .updateTable("video_segments")
          .set({ received_at: clock.now() - ms })
          .where("device_id", "=", bobsHome.cameraId)
          .execute();
      await arrivedAgo(5_000);
      expect((await stopOf("bob"))?.readiness).toEqual(READY);
      await arrivedAgo(5_001);
      expect((await stopOf("bob"))?.readiness).toEqual(notLive);
      // The camera still reports that it streams: the Cloud Cam attack, seen through.
      expect(
        (
          await server.ctx.db
            .selectFrom("devices")
            .select("reported_state")
            .where("id", "=", bobsHome.cameraId)
            .executeTakeFirstOrThrow()
        ).reported_state,
      ).toContain('"streaming":true');
      await sendVideo(server, bobsHome.cameraId);
      expect((await stopOf("bob"))?.readiness).toEqual(READY);
      // Fresh video, but off the broker: it could not take the visit's record command.
      await server.ctx.db.updateTable("devices").set({ online: 0 }).where("id", "=", bobsHome.cameraId).execute();
      expect((await stopOf("bob"))?.readiness).toEqual(notLive);
    } finally {
      await reportState(server, bobsHome.cameraId, STREAMING);
      await sendVideo(server, bobsHome.cameraId);
    }
  });

  it("says when consent does not cover now: the day, the hour, or the method", async () => {
    const consentPath = `/v1/access-points/${bobsHome.accessPointId}/consent`;
    const notNow = { ...READY, consentGiven: false, ready: false };
    try {
      for (const consent of [
        { ...CONSENT_BODY, days: [1, 2, 4, 5, 6, 7] },
        { ...CONSENT_BODY, from: "11:00", to: "12:00" },
        { ...CONSENT_BODY, methods: ["doorstep"] },
      ]) {
        const res = await request("PUT", consentPath, { cookie: bob.cookie, body: consent });
        expect(res.status).toBe(200);
        expect((await stopOf("bob"))?.readiness, JSON.stringify(consent)).toEqual(notNow);
      }
      // In the consent's own time zone: 10:00 in Amsterdam is inside 10:00–11:00 there, not in UTC.
      await request("PUT", consentPath, { cookie: bob.cookie, body: { ...CONSENT_BODY, from: "10:00", to: "11:00" } });
      expect((await stopOf("bob"))?.readiness).toEqual(READY);
      await request("PUT", consentPath, {
        cookie: bob.cookie,
        body: { ...CONSENT_BODY, from: "10:00", to: "11:00", timezone: "UTC" },
      });
      expect((await stopOf("bob"))?.readiness).toEqual(notNow);
    } finally {
      await request("PUT", consentPath, { cookie: bob.cookie, body: { ...CONSENT_BODY, notes: "" } });
    }
  });

  it("is not ready before its window opens, says when it opens, and is not ready after it ended", async () => {
    // Every door check passes at alice's home: only the window stands in the way.
    expect((await stopOf("tomorrow"))?.readiness).toEqual({
      ...READY,
      inWindow: false,
      windowOpensAt: iso(clock.now() + 20 * HOUR),
      ready: false,
    });
    // The clock stays put (devices would fall silent): the window moves instead.
    const windowEndsIn = (ms: number) =>
      server.ctx.db
        .updateTable("shipments")
        .set({ window_end: clock.now() + ms })
        .where("id", "=", ids.alice as string)
        .execute();
    try {
      await windowEndsIn(1);
      expect((await stopOf("alice"))?.readiness).toEqual(READY);
      await windowEndsIn(0);
      expect((await stopOf("alice"))?.readiness).toEqual({ ...READY, inWindow: false, ready: false });
    } finally {
      await windowEndsIn(2.75 * HOUR);
    }
  });

  it("says when the recipient has blocked access, at once", async () => {
    const blocked = await request("POST", "/v1/access/block", { cookie: bob.cookie, body: {} });
    expect(blocked.status).toBe(200);
    expect((await stopOf("bob"))?.readiness).toEqual({ ...READY, blocked: true, ready: false });
    expect((await stopOf("alice"))?.readiness).toEqual(READY);
    await request("POST", "/v1/access/unblock", { cookie: bob.cookie, body: {} });
    expect((await stopOf("bob"))?.readiness).toEqual(READY);
  });

  it("shows an in-home stop whose front door was removed as not ready, with no access point", async () => {
    const carol = await signInAs(server, "recipient");
    const home = await setUpHome(server, request, carol);
    const shipment = await createShipment(server, request, acme, home.site.id, window(3));
    await assign(request, acme, shipment.id, acme.courier);
    expect((await request("DELETE", `/v1/access-points/${home.accessPointId}`, { cookie: carol.cookie })).status).toBe(
      204,
    );
    const stop = (await stops()).find((s) => s.shipmentId === shipment.id);
    expect(stop).toMatchObject({
      accessPoint: null,
      readiness: {
        lockOnline: false,
        lockLocked: false,
        doorClosed: false,
        cameraLive: false,
        consentGiven: false,
        blocked: false,
        ready: false,
      },
    });
  });

  it("picks up tomorrow's stops as the day moves on, and keeps today's undelivered ones", async () => {
    clock.advance(6 * HOUR);
    try {
      const list = (await stops()).map((s) => s.shipmentId);
      expect(list).toContain(ids.tooLate);
      // Windows that ended earlier today are still listed until delivered.
      expect(list).toContain(ids.alice);
    } finally {
      clock.advance(-6 * HOUR);
    }
  });

  it("adds today's delivered stops, marked done, only when asked, and only the courier's own", async () => {
    const withDone = async (courier: SignedInUser, query = "?includeDelivered=true") => {
      const res = await request("GET", `/v1/courier/stops${query}`, { cookie: courier.cookie });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.stops as Json[];
    };
    const list = await withDone(acme.courier);
    const todo = (await stops()).map((s) => s.shipmentId);
    // The same stops as without the flag, plus the delivered one, still in window order.
    expect(list.map((s) => s.shipmentId).sort()).toEqual([...todo, ids.delivered].sort());
    expect(list.filter((s) => s.shipmentId !== ids.delivered).map((s) => s.shipmentId)).toEqual(todo);
    const done = list.find((s) => s.shipmentId === ids.delivered);
    expect(done).toMatchObject({ deliveredAt: iso(clock.now()), readiness: null });
    expect(list.filter((s) => s.deliveredAt !== null)).toHaveLength(1);
    expect((await withDone(acme.courier, "?includeDelivered=false")).map((s) => s.shipmentId)).not.toContain(
      ids.delivered,
    );
    expect((await withDone(acme.otherCourier)).map((s) => s.shipmentId)).toEqual([ids.otherCourier]);
    expect(await withDone(rival.courier)).toEqual([]);
    // A delivery from an earlier day is history, not today's work.
    const deliveredAt = (at: number) =>
      server.ctx.db
        .updateTable("shipments")
        .set({ delivered_at: at })
        .where("id", "=", ids.delivered as string)
        .execute();
    await deliveredAt(clock.now() - 10 * HOUR);
    try {
      expect((await withDone(acme.courier)).map((s) => s.shipmentId)).not.toContain(ids.delivered);
    } finally {
      await deliveredAt(clock.now());
    }
    expect(
      (await request("GET", "/v1/courier/stops?includeDelivered=maybe", { cookie: acme.courier.cookie })).status,
    ).toBe(400);
  });

  it("is for couriers only", async () => {
    for (const role of ["recipient", "carrier_admin", "operator", "manager"] as const) {
      const user = await signInAs(server, role);
      const res = await request("GET", "/v1/courier/stops", { cookie: user.cookie });
      expect(res.status, role).toBe(403);
      expect(res.body.error.code).toBe("forbidden");
    }
    expect((await request("GET", "/v1/courier/stops", { bearer: acme.key })).status).toBe(403);
    expect((await request("GET", "/v1/courier/stops")).status).toBe(401);
    expect((await request("GET", "/v1/courier/stops?includeDelivered=true")).status).toBe(401);
    const recipient = await signInAs(server, "recipient");
    expect((await request("GET", "/v1/courier/stops?includeDelivered=true", { cookie: recipient.cookie })).status).toBe(
      403,
    );
  });
});

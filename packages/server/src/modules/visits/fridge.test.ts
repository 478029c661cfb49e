import type { LockAgent } from "@threshold/devices";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../../test/databases.js";
import { signInAs } from "../../test/fixtures.js";
import { addFridge, reported } from "../../test/garage-and-fridge.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { AT_THE_DOOR, createHome, type TestHome } from "../../test/home.js";
import { createApiKey } from "../shipments/test-support/index.js";
import { VisitWatchdog } from "./watchdog.js";

describe.each(TEST_DATABASES)("fridge delivery, chained behind the front door, on %s", (database) => {
  let server: TestServer;
  let home: TestHome;
  let fridge: LockAgent;
  let fridgeId: string;
  let stopFridge: () => Promise<void>;

  beforeAll(async () => {
    server = await startTestServer({ database, env: { FRIDGE_MAX_TEMPERATURE_C: "8" } });
    home = await createHome(server);
    ({ fridge, accessPointId: fridgeId, stop: stopFridge } = await addFridge(server, home, { behindFrontDoor: true }));
  });
  afterAll(async () => {
    await stopFridge?.();
    await home?.stop();
    await server?.destroy();
  });

  const scan = (trackingNumber: string, location = AT_THE_DOOR) =>
    home.request("POST", "/v1/visits", { cookie: home.courier.cookie, body: { trackingNumber, location } });
  /** `cookie: null` asks signed out. */
  const openNext = (visitId: string, cookie: string | null = home.courier.cookie) =>
    home.request("POST", `/v1/visits/${visitId}/open-next`, cookie === null ? {} : { cookie });
  const secure = (visitId: string) =>
    home.request("POST", `/v1/visits/${visitId}/secure`, { cookie: home.courier.cookie });
  const auditTypes = async (subjectId: string) =>
    (
      await server.ctx.db
        .selectFrom("audit_events")
        .select("type")
        .where("subject_id", "=", subjectId)
        .orderBy("seq")
        .execute()
    ).map((e) => e.type);
  const unlocksOfFridge = async () =>
    (
      await server.ctx.db
        .selectFrom("commands")
        .select("id")
        .where("device_id", "=", fridge.deviceId)
        .where("action", "=", "unlock")
        .execute()
    ).length;

  it("opens the front door, then the fridge on request; secures the fridge first, then the door", async () => {
    const { id: shipmentId, trackingNumber } = await home.shipment({ method: "in_fridge", perishable: true });
    const opened = await scan(trackingNumber);
    expect(opened.body).toMatchObject({
      status: "open",
      accessPointId: home.accessPointId,
      innerAccessPoint: { accessPointId: fridgeId, openedAt: null, securedAt: null },
    });
    expect(home.lock.state.lock).toBe("unlocked");
    expect(fridge.state.lock).toBe("locked");

    const next = await openNext(opened.body.id);
    expect(next.status).toBe(200);
    expect(next.body.innerAccessPoint.openedAt).toEqual(expect.any(String));
    expect(fridge.state.lock).toBe("unlocked");
    // Asked again (a retry), nothing more is sent.
    const unlocks = await unlocksOfFridge();
    expect((await openNext(opened.body.id)).status).toBe(200);
    expect(await unlocksOfFridge()).toBe(unlocks);

    fridge.openDoor();
    const refused = await secure(opened.body.id);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("fridge_open");
    expect(home.lock.state.lock).toBe("unlocked"); // the front door waits for the fridge
    fridge.closeDoor();
    home.lock.openDoor();
    home.lock.closeDoor();
    const secured = await secure(opened.body.id);
    expect(secured.body).toMatchObject({ status: "secured", innerAccessPoint: { securedAt: expect.any(String) } });
    expect(fridge.state).toMatchObject({ lock: "locked", door: "closed" });
    expect(home.lock.state).toMatchObject({ lock: "locked", door: "closed" });
    const shipment = await server.ctx.db
      .selectFrom("shipments")
      .select("status")
      .where("id", "=", shipmentId)
      .executeTakeFirstOrThrow();
    expect(shipment.status).toBe("delivered");
    expect(await auditTypes(opened.body.id)).toEqual([
      "visit.authorized",
      "visit.opening",
      "visit.opened",
      "visit.inner_opening",
      "visit.inner_opened",
      "visit.secure_refused",
      "visit.inner_secured",
      "visit.securing",
      "visit.secured",
    ]);
    expect(await server.ctx.audit.verify()).toMatchObject({ ok: true });
  });

  it("refuses the fridge while the front-door visit is not open: after securing, or when the scan was refused", async () => {
    const { trackingNumber } = await home.shipment({ method: "in_fridge", perishable: true });
    const opened = await scan(trackingNumber);
    expect((await secure(opened.body.id)).body.status).toBe("secured"); // the fridge was never opened
    const unlocks = await unlocksOfFridge();
    const afterwards = await openNext(opened.body.id);
    expect(afterwards.status).toBe(409);
    expect(afterwards.body.error.code).toBe("visit_not_open");

    const other = await home.shipment({ method: "in_fridge", perishable: true });
    const refusedScan = await scan(other.trackingNumber, { lat: 52.4, lng: 4.9 });
    expect(refusedScan.body.status).toBe("refused");
    const refused = await openNext(refusedScan.body.id);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("visit_not_open");
    expect(await unlocksOfFridge()).toBe(unlocks);
    expect(fridge.state.lock).toBe("locked");
  });

  it("answers no_next_access_point for a visit to the front door alone", async () => {
    const { trackingNumber } = await home.shipment();
    const opened = await scan(trackingNumber);
    const answer = await openNext(opened.body.id);
    expect(answer.status).toBe(409);
    expect(answer.body.error.code).toBe("no_next_access_point");
    expect((await secure(opened.body.id)).body.status).toBe("secured");
  });

  it("does not open the front door for a fridge that is not locked and closed", async () => {
    const { trackingNumber } = await home.shipment({ method: "in_fridge", perishable: true });
    fridge.jam();
    await reported(server, fridge.deviceId, (s) => s.lock === "jammed");
    try {
      const refused = await scan(trackingNumber);
      expect(refused.body.status).toBe("refused");
      expect(refused.body.refusals.map((r: { code: string }) => r.code)).toEqual(["fridge_not_locked"]);
      expect(home.lock.state.lock).toBe("locked");
    } finally {
      fridge.clearJam();
      await reported(server, fridge.deviceId, (s) => s.lock === "locked");
    }
  });

  it("refuses the fridge at open-next when it stopped being ready, naming the rules, and sends nothing", async () => {
    const { trackingNumber } = await home.shipment({ method: "in_fridge", perishable: true });
    const opened = await scan(trackingNumber);
    expect(opened.body.status).toBe("open");
    fridge.jam();
    await reported(server, fridge.deviceId, (s) => s.lock === "jammed");
    const unlocks = await unlocksOfFridge();
    try {
      const refused = await openNext(opened.body.id);
      expect(refused.status).toBe(409);
      expect(refused.body.error).toMatchObject({
        code: "conflict",
        details: { refusals: [expect.objectContaining({ code: "fridge_not_locked" })] },
      });
      expect(await unlocksOfFridge()).toBe(unlocks);
      expect(await auditTypes(opened.body.id)).toContain("visit.inner_refused");
    } finally {
      fridge.clearJam();
      await reported(server, fridge.deviceId, (s) => s.lock === "locked");
    }
    expect((await secure(opened.body.id)).body.status).toBe("secured");
  });

  it("lets only the visit's courier open the fridge; others learn nothing", async () => {
    const { trackingNumber } = await home.shipment({ method: "in_fridge", perishable: true });
    const opened = await scan(trackingNumber);
    const stranger = await signInAs(server, "courier");
    const unlocks = await unlocksOfFridge();
    expect((await openNext(opened.body.id, null)).status).toBe(401);
    expect((await openNext(opened.body.id, home.recipient.cookie)).status).toBe(403);
    const foreign = await openNext(opened.body.id, stranger.cookie);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe("not_found");
    expect((await openNext("vis_0000000000aaaaaaaaaaaaaaaa", home.courier.cookie)).status).toBe(404);
    const bad = await openNext("not-a-visit");
    expect(bad.status).toBe(400);
    expect(await unlocksOfFridge()).toBe(unlocks);
    expect(fridge.state.lock).toBe("locked");
    expect((await secure(opened.body.id)).body.status).toBe("secured");
  });

  it("raises an incident when the courier leaves with the fridge open; the watchdog locks the fridge, then the door", async () => {
    const { trackingNumber } = await home.shipment({ method: "in_fridge", perishable: true });
    const opened = await scan(trackingNumber);
    await openNext(opened.body.id);
    expect(fridge.state.lock).toBe("unlocked");
    await server.ctx.db
      .updateTable("visits")
      .set({ deadline_at: Date.now() - 1 })
      .where("id", "=", opened.body.id)
      .execute();
    const watchdog = new VisitWatchdog(server.ctx);
    await watchdog.tick();
    await watchdog.stop();
    const incident = await server.ctx.db
      .selectFrom("incidents")
      .selectAll()
      .where("visit_id", "=", opened.body.id)
      .executeTakeFirstOrThrow();
    expect(incident).toMatchObject({ kind: "not_secured", status: "open" });
    expect(fridge.state.lock).toBe("locked");
    expect(home.lock.state.lock).toBe("locked");
    const types = await auditTypes(opened.body.id);
    expect(types.indexOf("visit.inner_secured")).toBeGreaterThan(types.indexOf("visit.incident"));
    // Both locked: the home is safe, but nobody said the groceries are in, so it stays an incident.
    expect(types.at(-1)).toBe("visit.door_secured");
    expect(types).not.toContain("visit.secured");
  });

  it("alerts the recipient once when the fridge warms above the threshold after a delivery", async () => {
    const { trackingNumber } = await home.shipment({ method: "in_fridge", perishable: true });
    const opened = await scan(trackingNumber);
    await openNext(opened.body.id);
    expect((await secure(opened.body.id)).body.status).toBe("secured");

    fridge.setTemperature(12.5);
    await reported(server, fridge.deviceId, (s) => s.temperatureC === 12.5);
    for (let pass = 0; pass < 2; pass++) {
      const watchdog = new VisitWatchdog(server.ctx);
      await watchdog.tick();
      await watchdog.stop();
    }
    const incidents = await server.ctx.db
      .selectFrom("incidents")
      .selectAll()
      .where("visit_id", "=", opened.body.id)
      .execute();
    expect(incidents).toEqual([expect.objectContaining({ kind: "fridge_warm", status: "open" })]);
    const [incident] = incidents;
    const events = await server.ctx.db
      .selectFrom("audit_events")
      .selectAll()
      .where("subject_id", "=", incident?.id ?? "")
      .execute();
    expect(events.map((e) => e.type)).toEqual(["incident.opened"]);
    expect(JSON.parse(events[0]?.data ?? "{}")).toMatchObject({ kind: "fridge_warm", temperatureC: 12.5 });
    // The visit stays secured: the delivery was fine, the fridge is what needs attention.
    expect(
      (await home.request("GET", `/v1/visits/${opened.body.id}`, { cookie: home.recipient.cookie })).body.status,
    ).toBe("secured");
    const seen = await home.request("GET", "/v1/incidents?status=open", { cookie: home.recipient.cookie });
    expect(seen.body.incidents.map((i: { kind: string }) => i.kind)).toContain("fridge_warm");
    const detail = await home.request("GET", `/v1/access-points/${fridgeId}`, { cookie: home.recipient.cookie });
    expect(detail.body).toMatchObject({
      kind: "fridge",
      viaAccessPointId: home.accessPointId,
      fridge: { temperatureC: 12.5, maxTemperatureC: 8, tooWarm: true },
      garage: null,
    });
    fridge.setTemperature(4);
  });

  it("will not deliver groceries into a fridge already too warm: the stop is not ready and the scan is refused fridge_warm", async () => {
    const { trackingNumber } = await home.shipment({ method: "in_fridge", perishable: true });
    fridge.setTemperature(11.5);
    await reported(server, fridge.deviceId, (s) => s.temperatureC === 11.5);
    try {
      const stops = await home.request("GET", "/v1/courier/stops", { cookie: home.courier.cookie });
      const stop = stops.body.stops.find((s: { trackingNumber: string }) => s.trackingNumber === trackingNumber);
      expect(stop.readiness).toMatchObject({
        ready: false,
        fridge: { temperatureC: 11.5, maxTemperatureC: 8, tooWarm: true },
      });

      const refused = await scan(trackingNumber);
      expect(refused.body.status).toBe("refused");
      expect(refused.body.refusals.map((r: { code: string }) => r.code)).toEqual(["fridge_warm"]);
      expect(home.lock.state.lock).toBe("locked");
      expect(fridge.state.lock).toBe("locked");
    } finally {
      fridge.setTemperature(4);
      await reported(server, fridge.deviceId, (s) => s.temperatureC === 4);
    }
    // Cold again, the same stop is ready and opens: readiness and the scan agree both ways.
    const stops = await home.request("GET", "/v1/courier/stops", { cookie: home.courier.cookie });
    const stop = stops.body.stops.find((s: { trackingNumber: string }) => s.trackingNumber === trackingNumber);
    expect(stop.readiness).toMatchObject({ ready: true, fridge: { temperatureC: 4, tooWarm: false } });
    const opened = await scan(trackingNumber);
    expect(opened.body.status).toBe("open");
    await openNext(opened.body.id);
    expect((await secure(opened.body.id)).body.status).toBe("secured");
  });

  it("lets a carrier create a perishable fridge shipment, and refuses a non-perishable one with not_perishable", async () => {
    const admin = await signInAs(server, "carrier_admin", { carrierId: home.carrierId });
    const key = await createApiKey(home.request, admin, ["shipments:read", "shipments:write"]);
    const body = (trackingNumber: string, perishable: boolean) => ({
      trackingNumber,
      siteId: home.siteId,
      method: "in_fridge",
      window: {
        start: new Date(Date.now() + 3_600_000).toISOString(),
        end: new Date(Date.now() + 7_200_000).toISOString(),
      },
      flags: { perishable },
    });
    const auth = { authorization: `Bearer ${key}` };
    const refused = await home.request("POST", "/v1/shipments", {
      headers: auth,
      body: body("FRIDGE-NOT-COLD", false),
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe("not_perishable");
    const stored = await server.ctx.db
      .selectFrom("shipments")
      .select("id")
      .where("tracking_number", "=", "FRIDGE-NOT-COLD")
      .execute();
    expect(stored).toEqual([]);
    const created = await home.request("POST", "/v1/shipments", { headers: auth, body: body("FRIDGE-COLD-1", true) });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ method: "in_fridge", flags: { perishable: true } });
  });
});

describe.each(TEST_DATABASES)("fridge delivery into a cooler reached directly, on %s", (database) => {
  let server: TestServer;
  let home: TestHome;
  let fridge: LockAgent;
  let stopFridge: () => Promise<void>;

  beforeAll(async () => {
    server = await startTestServer({ database });
    home = await createHome(server);
    ({ fridge, stop: stopFridge } = await addFridge(server, home));
  });
  afterAll(async () => {
    await stopFridge?.();
    await home?.stop();
    await server?.destroy();
  });

  it("unlocks the cooler itself, proves it locked and closed, and alerts when it is left open afterwards", async () => {
    const { trackingNumber } = await home.shipment({ method: "in_fridge", perishable: true });
    const opened = await home.request("POST", "/v1/visits", {
      cookie: home.courier.cookie,
      body: { trackingNumber, location: AT_THE_DOOR },
    });
    expect(opened.body).toMatchObject({ status: "open", innerAccessPoint: null });
    expect(fridge.state.lock).toBe("unlocked");
    expect(home.lock.state.lock).toBe("locked");
    const secured = await home.request("POST", `/v1/visits/${opened.body.id}/secure`, { cookie: home.courier.cookie });
    expect(secured.body.status).toBe("secured");
    expect(fridge.state).toMatchObject({ lock: "locked", door: "closed" });

    // Forced open after the delivery: the recipient hears of it.
    fridge.openDoor();
    await reported(server, fridge.deviceId, (s) => s.door === "open");
    const watchdog = new VisitWatchdog(server.ctx);
    await watchdog.tick();
    await watchdog.stop();
    const incident = await server.ctx.db
      .selectFrom("incidents")
      .selectAll()
      .where("visit_id", "=", opened.body.id)
      .executeTakeFirstOrThrow();
    expect(incident).toMatchObject({ kind: "fridge_open", status: "open" });
    fridge.closeDoor();
  });
});

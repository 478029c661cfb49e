import type { GarageOpenerAgent } from "@threshold/devices";
import { type DeliveryProof, verifyProof } from "@threshold/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEventsAbout } from "../../test/audit.js";
import { TEST_DATABASES } from "../../test/databases.js";
import { signInAs } from "../../test/fixtures.js";
import { addGarage, reported } from "../../test/garage-and-fridge.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { AT_THE_DOOR, createHome, type TestHome } from "../../test/home.js";
import { SteppableClock } from "../../test/steppable-clock.js";
import { until, untilDeviceOnline } from "../../test/wait.js";
import { createApiKey } from "../shipments/test-support/index.js";
import { VisitWatchdog } from "./watchdog.js";

describe.each(TEST_DATABASES)("the in-garage visit on %s", (database) => {
  let server: TestServer;
  let home: TestHome;
  let garage: GarageOpenerAgent;
  let garageAccessPointId: string;
  let stopGarage: () => Promise<void>;
  /** Moved forward by the tests to make a retry come due, instead of sleeping until it does. */
  const clock = new SteppableClock();

  beforeAll(async () => {
    server = await startTestServer({ database, clock, env: { INCIDENT_RETRY_S: "1" } });
    home = await createHome(server);
    ({ garage, accessPointId: garageAccessPointId, stop: stopGarage } = await addGarage(server, home));
  });
  afterAll(async () => {
    await stopGarage?.();
    await home?.stop();
    await server?.destroy();
  });

  const scan = (trackingNumber: string) =>
    home.request("POST", "/v1/visits", {
      cookie: home.courier.cookie,
      body: { trackingNumber, location: AT_THE_DOOR },
    });
  const secure = (visitId: string) =>
    home.request("POST", `/v1/visits/${visitId}/secure`, { cookie: home.courier.cookie });
  const auditTypes = async (subjectId: string) => (await auditEventsAbout(server, subjectId)).map((e) => e.type);
  /** Oldest first: without an ORDER BY, PostgreSQL returns updated rows in any order. */
  const commandsTo = (deviceId: string, action: string) =>
    server.ctx.db
      .selectFrom("commands")
      .selectAll()
      .where("device_id", "=", deviceId)
      .where("action", "=", action)
      .orderBy("issued_at")
      .orderBy("id")
      .execute();
  const visitRow = (id: string) =>
    server.ctx.db.selectFrom("visits").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const closedAgain = async () => {
    if (garage.state.door !== "closed") await server.ctx.commands.send(garage.deviceId, "close");
    await until(() => garage.state.door === "closed");
    await reported(server, garage.deviceId, (s) => s.door === "closed" && s.obstructed === false);
  };

  it("opens the garage after the camera records, and is secured only once the door reports fully closed", async () => {
    const { id: shipmentId, trackingNumber } = await home.shipment({ method: "in_garage" });
    const opened = await scan(trackingNumber);
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({ status: "open", accessPointId: garageAccessPointId, innerAccessPoint: null });
    expect(garage.state.door).toBe("open");
    expect(home.lock.state.lock).toBe("locked"); // the front door is not part of a garage visit

    const record = (await commandsTo(home.camera.deviceId, "record_start")).at(-1);
    const open = (await commandsTo(garage.deviceId, "open")).at(-1);
    expect(open?.status).toBe("succeeded");
    expect(record?.completed_at ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(open?.issued_at ?? 0);

    const secured = await secure(opened.body.id);
    expect(secured.body).toMatchObject({ status: "secured" });
    expect(garage.state).toMatchObject({ door: "closed", obstructed: false });
    const close = (await commandsTo(garage.deviceId, "close")).at(-1);
    expect(JSON.parse(close?.ack ?? "{}")).toMatchObject({ state: { door: "closed", obstructed: false } });
    const shipment = await server.ctx.db
      .selectFrom("shipments")
      .select(["status", "delivered_visit_id"])
      .where("id", "=", shipmentId)
      .executeTakeFirstOrThrow();
    expect(shipment).toEqual({ status: "delivered", delivered_visit_id: opened.body.id });
    expect(await auditTypes(opened.body.id)).toEqual([
      "visit.authorized",
      "visit.opening",
      "visit.opened",
      "visit.securing",
      "visit.secured",
    ]);
    expect(await server.ctx.audit.verify()).toMatchObject({ ok: true });

    // The proof carries the opener's own signed acks and events, and checks without trusting us.
    const proof = (await home.request("GET", `/v1/shipments/${shipmentId}/proof`, { cookie: home.recipient.cookie }))
      .body as DeliveryProof;
    expect(proof.commands.map((c) => c.message.action)).toEqual(expect.arrayContaining(["open", "close"]));
    expect(proof.deviceEvents.map((e) => e.type)).toEqual(expect.arrayContaining(["garage.opened", "garage.closed"]));
    expect(verifyProof(proof)).toMatchObject({ ok: true, problems: [] });
  });

  it("refuses with garage_not_closed while the garage is already open, and opens nothing", async () => {
    const { trackingNumber } = await home.shipment({ method: "in_garage" });
    await server.ctx.commands.send(garage.deviceId, "open");
    await reported(server, garage.deviceId, (s) => s.door === "open");
    const opensBefore = (await commandsTo(garage.deviceId, "open")).length;
    const refused = await scan(trackingNumber);
    expect(refused.body.status).toBe("refused");
    expect(refused.body.refusals.map((r: { code: string }) => r.code)).toEqual(["garage_not_closed"]);
    expect((await commandsTo(garage.deviceId, "open")).length).toBe(opensBefore);
    await closedAgain();
  });

  it("refuses with garage_obstructed while the safety beam is broken", async () => {
    const { trackingNumber } = await home.shipment({ method: "in_garage" });
    garage.obstruct();
    await reported(server, garage.deviceId, (s) => s.obstructed === true);
    const refused = await scan(trackingNumber);
    expect(refused.body.refusals.map((r: { code: string }) => r.code)).toEqual(["garage_obstructed"]);
    expect(garage.state.door).toBe("closed");
    garage.clearObstruction();
    await closedAgain();
  });

  it("refuses with no_consent when the recipient has not allowed in_garage", async () => {
    const { trackingNumber } = await home.shipment({ method: "in_garage" });
    const consent = await server.ctx.db
      .selectFrom("consents")
      .selectAll()
      .where("access_point_id", "=", garageAccessPointId)
      .executeTakeFirstOrThrow();
    await server.ctx.db.deleteFrom("consents").where("access_point_id", "=", garageAccessPointId).execute();
    try {
      const refused = await scan(trackingNumber);
      expect(refused.body.refusals.map((r: { code: string }) => r.code)).toEqual(["no_consent"]);
      expect(garage.state.door).toBe("closed");
    } finally {
      await server.ctx.db.insertInto("consents").values(consent).execute();
    }
  });

  it("turns an obstructed close into an incident, alerts, and closes the garage once a retried close succeeds", async () => {
    const { trackingNumber } = await home.shipment({ method: "in_garage" });
    const opened = await scan(trackingNumber);
    expect(opened.body.status).toBe("open");
    garage.obstruct(); // a box left in the doorway
    const answer = await secure(opened.body.id);
    expect(answer.body).toMatchObject({ status: "incident", reason: "garage_obstructed" });
    expect(garage.state.door).toBe("open");
    const incident = await server.ctx.db
      .selectFrom("incidents")
      .selectAll()
      .where("visit_id", "=", opened.body.id)
      .executeTakeFirstOrThrow();
    expect(incident).toMatchObject({ kind: "garage_obstructed", status: "open" });
    expect(await auditTypes(opened.body.id)).toContain("visit.incident");

    // The watchdog retries the close; it fails while the doorway is blocked and succeeds once clear.
    const watchdog = new VisitWatchdog(server.ctx);
    await watchdog.tick();
    await watchdog.stop();
    expect((await visitRow(opened.body.id)).status).toBe("incident");
    garage.clearObstruction();
    await reported(server, garage.deviceId, (s) => s.obstructed === false);
    clock.advance(1_000); // INCIDENT_RETRY_S=1: the next retry is due
    await watchdog.tick();
    await watchdog.stop();
    // The garage is proven closed; the courier never said Done, so the visit stays an incident.
    expect(await visitRow(opened.body.id)).toMatchObject({ status: "incident", door_secured_at: expect.any(Number) });
    expect(garage.state.door).toBe("closed");
  });

  it("raises not_secured when the courier never closes the garage, and the watchdog closes it", async () => {
    const { trackingNumber } = await home.shipment({ method: "in_garage" });
    const opened = await scan(trackingNumber);
    expect(opened.body.status).toBe("open");
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
    expect(incident).toMatchObject({ kind: "not_secured", detail: "The courier did not secure the garage in time." });
    expect(await visitRow(opened.body.id)).toMatchObject({ status: "incident", door_secured_at: expect.any(Number) });
    expect(garage.state.door).toBe("closed");
    const closes = await commandsTo(garage.deviceId, "close");
    expect(closes.at(-1)?.status).toBe("succeeded");
  });

  it("shows the courier's stop and the recipient's access point with the garage's state", async () => {
    const { id: shipmentId } = await home.shipment({ method: "in_garage" });
    const stops = await home.request("GET", "/v1/courier/stops", { cookie: home.courier.cookie });
    const stop = stops.body.stops.find((s: { shipmentId: string }) => s.shipmentId === shipmentId);
    expect(stop).toMatchObject({
      method: "in_garage",
      accessPoint: { id: garageAccessPointId, kind: "garage" },
      readiness: {
        lockOnline: true,
        lockLocked: true,
        doorClosed: true,
        garage: { door: "closed", obstructed: false },
      },
    });
    const detail = await home.request("GET", `/v1/access-points/${garageAccessPointId}`, {
      cookie: home.recipient.cookie,
    });
    expect(detail.body).toMatchObject({ kind: "garage", garage: { door: "closed", obstructed: false }, fridge: null });
  });

  it("lets a carrier create an in_garage shipment only where the recipient allows garage delivery", async () => {
    const admin = await signInAs(server, "carrier_admin", { carrierId: home.carrierId });
    const key = await createApiKey(home.request, admin, ["shipments:read", "shipments:write"]);
    const create = (trackingNumber: string) =>
      home.request("POST", "/v1/shipments", {
        headers: { authorization: `Bearer ${key}` },
        body: {
          trackingNumber,
          siteId: home.siteId,
          method: "in_garage",
          window: {
            start: new Date(Date.now() + 3_600_000).toISOString(),
            end: new Date(Date.now() + 7_200_000).toISOString(),
          },
        },
      });
    expect((await create("GARAGE-OK-1")).status).toBe(201);
    await server.ctx.db
      .updateTable("consents")
      .set({ methods: JSON.stringify(["doorstep"]) })
      .where("access_point_id", "=", garageAccessPointId)
      .execute();
    try {
      const refused = await create("GARAGE-NO-1");
      expect(refused.status).toBe(422);
      expect(refused.body.error.code).toBe("no_consent");
      const stored = await server.ctx.db
        .selectFrom("shipments")
        .select("id")
        .where("tracking_number", "=", "GARAGE-NO-1")
        .execute();
      expect(stored).toEqual([]);
    } finally {
      await server.ctx.db
        .updateTable("consents")
        .set({ methods: JSON.stringify(["in_garage"]) })
        .where("access_point_id", "=", garageAccessPointId)
        .execute();
    }
  });

  // Stops the home's camera: keep it last.
  it("refuses with camera_not_live while the witness camera is gone, and the garage stays closed", async () => {
    const { trackingNumber } = await home.shipment({ method: "in_garage" });
    await home.camera.stop();
    await untilDeviceOnline(server, home.camera.deviceId, false);
    const refused = await scan(trackingNumber);
    expect(refused.body.refusals.map((r: { code: string }) => r.code)).toContain("camera_not_live");
    expect(garage.state.door).toBe("closed");
  });
});

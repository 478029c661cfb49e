import { type DeliveryProof, verifyProof } from "@threshold/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../../test/databases.js";
import { signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { AT_THE_DOOR, createHome, type TestHome } from "../../test/home.js";
import { until, untilDeviceOnline } from "../../test/wait.js";

describe.each(TEST_DATABASES)("the in-home visit on %s", (database) => {
  let server: TestServer;
  let home: TestHome;

  beforeAll(async () => {
    server = await startTestServer({ database });
    home = await createHome(server);
  });
  afterAll(async () => {
    await home?.stop();
    await server?.destroy();
  });

  const scan = (
    trackingNumber: string,
    cookie = home.courier.cookie,
    extra: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) =>
    home.request("POST", "/v1/visits", { cookie, body: { trackingNumber, location: AT_THE_DOOR, ...extra }, headers });
  const secure = (visitId: string, cookie = home.courier.cookie) =>
    home.request("POST", `/v1/visits/${visitId}/secure`, { cookie });
  const auditTypes = async (visitId: string) =>
    (
      await server.ctx.db
        .selectFrom("audit_events")
        .select("type")
        .where("subject_id", "=", visitId)
        .orderBy("seq")
        .execute()
    ).map((e) => e.type);
  /** Oldest first: without an ORDER BY, PostgreSQL returns updated rows in any order. */
  const commandsFor = (deviceId: string, action: string) =>
    server.ctx.db
      .selectFrom("commands")
      .selectAll()
      .where("device_id", "=", deviceId)
      .where("action", "=", action)
      .orderBy("issued_at")
      .orderBy("id")
      .execute();

  it("opens only after the camera records, proves the relock, and delivers", async () => {
    const { id: shipmentId, trackingNumber } = await home.shipment();
    const opened = await scan(trackingNumber);
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({ status: "open", refusals: [], shipmentId });
    expect(home.lock.state.lock).toBe("unlocked");
    expect(home.camera.state).toMatchObject({ recording: true, visitId: opened.body.id });

    const cameraCommand = (await commandsFor(home.camera.deviceId, "record_start")).at(-1);
    const unlockCommand = (await commandsFor(home.lock.deviceId, "unlock")).at(-1);
    expect(cameraCommand?.status).toBe("succeeded");
    expect(unlockCommand?.status).toBe("succeeded");
    expect(cameraCommand?.completed_at ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(unlockCommand?.issued_at ?? 0);

    home.lock.openDoor();
    home.lock.closeDoor();
    const secured = await secure(opened.body.id);
    expect(secured.status).toBe(200);
    expect(secured.body).toMatchObject({ status: "secured" });
    expect(home.lock.state).toMatchObject({ lock: "locked", door: "closed" });
    const shipment = await server.ctx.db
      .selectFrom("shipments")
      .selectAll()
      .where("id", "=", shipmentId)
      .executeTakeFirstOrThrow();
    expect(shipment).toMatchObject({ status: "delivered", delivered_visit_id: opened.body.id });
    expect(await auditTypes(opened.body.id)).toEqual([
      "visit.authorized",
      "visit.opening",
      "visit.opened",
      "visit.securing",
      "visit.secured",
    ]);
    await until(() => home.camera.state.recording === false);
    expect(await server.ctx.audit.verify()).toMatchObject({ ok: true });
  });

  it("will not call a visit secured while the door stands open", async () => {
    const { trackingNumber } = await home.shipment();
    const opened = await scan(trackingNumber);
    expect(opened.body.status).toBe("open");
    home.lock.openDoor();
    const refused = await secure(opened.body.id);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("door_open");
    expect(home.lock.state.lock).toBe("unlocked");
    home.lock.closeDoor();
    expect((await secure(opened.body.id)).body.status).toBe("secured");
  });

  it.each([
    [
      "outside_window",
      async () =>
        (await home.shipment({ windowStart: Date.now() + 3_600_000, windowEnd: Date.now() + 7_200_000 }))
          .trackingNumber,
      {},
    ],
    ["outside_geofence", async () => (await home.shipment()).trackingNumber, { location: { lat: 52.4, lng: 4.9 } }],
    ["wrong_site", async () => (await home.shipment()).trackingNumber, { siteId: "sit_0000000000aaaaaaaaaaaaaaaa" }],
    ["method_not_in_home", async () => (await home.shipment({ method: "doorstep" })).trackingNumber, {}],
  ] as const)("refuses with %s, and the door stays locked", async (code, makeShipment, extra) => {
    const trackingNumber = await makeShipment();
    const unlocksBefore = (await commandsFor(home.lock.deviceId, "unlock")).length;
    const res = await scan(trackingNumber, home.courier.cookie, extra);
    expect(res.status).toBe(201);
    expect(res.body.status).toBe("refused");
    expect(res.body.refusals.map((r: { code: string }) => r.code)).toContain(code);
    expect(res.body.message.length).toBeGreaterThan(10);
    expect((await commandsFor(home.lock.deviceId, "unlock")).length).toBe(unlocksBefore);
    expect(home.lock.state.lock).toBe("locked");
  });

  it("tells another carrier's courier nothing about the package, and records nothing", async () => {
    const { trackingNumber } = await home.shipment();
    const stranger = await signInAs(server, "courier");
    const res = await scan(trackingNumber, stranger.cookie);
    expect(res.body).toMatchObject({
      id: null,
      status: "refused",
      shipmentId: null,
      siteId: null,
      refusals: [{ code: "not_assigned" }],
    });
    const unknown = await scan("NO-SUCH-PARCEL", stranger.cookie);
    expect(unknown.body.refusals[0].code).toBe("not_assigned");
  });

  /** Waits until the server has heard the device report a state matching `predicate`. */
  const reported = (deviceId: string, predicate: (state: Record<string, unknown>) => boolean) =>
    until(async () => {
      const row = await server.ctx.db
        .selectFrom("devices")
        .select("reported_state")
        .where("id", "=", deviceId)
        .executeTakeFirstOrThrow();
      return row.reported_state !== null && predicate(JSON.parse(row.reported_state) as Record<string, unknown>);
    });

  it.each([
    [
      "lock_jammed",
      () => home.lock.jam(),
      () => home.lock.clearJam(),
      () => reported(home.lock.deviceId, (s) => s.lock === "jammed"),
      () => reported(home.lock.deviceId, (s) => s.lock === "locked"),
    ],
    [
      "door_open",
      () => home.lock.openDoor(),
      () => home.lock.closeDoor(),
      () => reported(home.lock.deviceId, (s) => s.door === "open"),
      () => reported(home.lock.deviceId, (s) => s.door === "closed"),
    ],
  ] as const)(
    "refuses with %s from the lock's own reports (camera_not_live: camera-gate.test.ts)",
    async (code, breakIt, mendIt, broken, mended) => {
      const { trackingNumber } = await home.shipment();
      await breakIt();
      await broken();
      const refused = await scan(trackingNumber);
      expect(refused.body.status).toBe("refused");
      expect(refused.body.refusals.map((r: { code: string }) => r.code)).toContain(code);
      expect(home.lock.state.lock).not.toBe("unlocked");
      await mendIt();
      await mended();
      const opened = await scan(trackingNumber);
      expect(opened.body.status).toBe("open");
      expect((await secure(opened.body.id)).body.status).toBe("secured");
    },
  );

  it.each([
    [
      "no_consent",
      () => server.ctx.db.deleteFrom("consents").where("access_point_id", "=", home.accessPointId).execute(),
    ],
    [
      "access_blocked",
      () =>
        server.ctx.db
          .updateTable("sites")
          .set({ access_blocked_at: Date.now() })
          .where("id", "=", home.siteId)
          .execute(),
    ],
  ] as const)("refuses with %s", async (code, change) => {
    const { trackingNumber } = await home.shipment();
    const consent = await server.ctx.db
      .selectFrom("consents")
      .selectAll()
      .where("access_point_id", "=", home.accessPointId)
      .executeTakeFirst();
    await change();
    try {
      const res = await scan(trackingNumber);
      expect(res.body.refusals.map((r: { code: string }) => r.code)).toEqual([code]);
    } finally {
      if (consent)
        await server.ctx.db
          .insertInto("consents")
          .values(consent)
          .onConflict((oc) => oc.column("access_point_id").doNothing())
          .execute();
      await server.ctx.db.updateTable("sites").set({ access_blocked_at: null }).where("id", "=", home.siteId).execute();
    }
  });

  it("refuses with lock_offline when the lock has dropped off the broker", async () => {
    const { trackingNumber } = await home.shipment();
    await home.lock.stop();
    try {
      await untilDeviceOnline(server, home.lock.deviceId, false);
      const res = await scan(trackingNumber);
      expect(res.body.refusals.map((r: { code: string }) => r.code)).toEqual(["lock_offline"]);
    } finally {
      await home.lock.start();
      await reported(home.lock.deviceId, (s) => s.lock === "locked");
      await untilDeviceOnline(server, home.lock.deviceId, true);
    }
  });

  it("refuses a second courier with visit_in_progress while the door is open for the first", async () => {
    const first = await home.shipment();
    const otherCourier = await signInAs(server, "courier", { carrierId: home.carrierId });
    const second = await home.shipment({ courierId: otherCourier.id });
    const opened = await scan(first.trackingNumber);
    expect(opened.body.status).toBe("open");
    const refused = await scan(second.trackingNumber, otherCourier.cookie);
    expect(refused.body.refusals.map((r: { code: string }) => r.code)).toContain("visit_in_progress");
    expect((await secure(opened.body.id)).body.status).toBe("secured");
    // The door is free again: the second courier may now open it.
    const next = await scan(second.trackingNumber, otherCourier.cookie);
    expect(next.body.status).toBe("open");
    expect((await secure(next.body.id, otherCourier.cookie)).body.status).toBe("secured");
  });

  it("records every command's creation and outcome in the audit chain", async () => {
    const { trackingNumber } = await home.shipment();
    const opened = await scan(trackingNumber);
    const unlock = (await commandsFor(home.lock.deviceId, "unlock")).at(-1);
    const types = await server.ctx.db
      .selectFrom("audit_events")
      .select(["type", "site_id"])
      .where("subject_id", "=", unlock?.id ?? "")
      .orderBy("seq")
      .execute();
    expect(types).toEqual([
      { type: "command.created", site_id: home.siteId },
      { type: "command.succeeded", site_id: home.siteId },
    ]);
    expect((await secure(opened.body.id)).body.status).toBe("secured");
  });

  it("50 concurrent identical scans with one Idempotency-Key open one visit with one unlock", async () => {
    const { trackingNumber } = await home.shipment();
    const unlocksBefore = (await commandsFor(home.lock.deviceId, "unlock")).length;
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        scan(trackingNumber, home.courier.cookie, {}, { "idempotency-key": `scan-${trackingNumber}` }),
      ),
    );
    const ids = new Set(answers.map((a) => a.body.id));
    expect(answers.every((a) => a.status === 201 && a.body.status === "open")).toBe(true);
    expect(ids.size).toBe(1);
    expect((await commandsFor(home.lock.deviceId, "unlock")).length).toBe(unlocksBefore + 1);
    home.lock.closeDoor();
    expect((await secure([...ids][0] as string)).body.status).toBe("secured");
  });

  it("50 concurrent scans for the same door with different keys leave exactly one visit open", async () => {
    const shipments = await Promise.all(Array.from({ length: 50 }, () => home.shipment()));
    const unlocksBefore = (await commandsFor(home.lock.deviceId, "unlock")).length;
    const answers = await Promise.all(
      shipments.map((s, i) =>
        scan(s.trackingNumber, home.courier.cookie, {}, { "idempotency-key": `door-race-${i}-${s.id}` }),
      ),
    );
    const opened = answers.filter((a) => a.body.status === "open");
    expect(opened).toHaveLength(1);
    for (const refused of answers.filter((a) => a.body.status !== "open")) {
      expect(refused.body.refusals.map((r: { code: string }) => r.code)).toEqual(
        expect.arrayContaining([expect.stringMatching(/visit_in_progress|courier_busy|lock_not_locked/)]),
      );
    }
    expect((await commandsFor(home.lock.deviceId, "unlock")).length).toBe(unlocksBefore + 1);
    home.lock.closeDoor();
    expect((await secure(opened[0]?.body.id)).body.status).toBe("secured");
  });

  it("refuses a reused Idempotency-Key with a different body", async () => {
    const a = await home.shipment();
    const b = await home.shipment();
    const first = await scan(
      a.trackingNumber,
      home.courier.cookie,
      { location: { lat: 0, lng: 0 } },
      { "idempotency-key": "reused-key-123" },
    );
    expect(first.body.status).toBe("refused");
    const second = await scan(b.trackingNumber, home.courier.cookie, {}, { "idempotency-key": "reused-key-123" });
    expect(second.status).toBe(422);
    expect(second.body.error.code).toBe("idempotency_key_reused");
  });

  it("lets only the courier, the recipient, the carrier and operators read a visit", async () => {
    const { trackingNumber } = await home.shipment();
    const visit = (await scan(trackingNumber, home.courier.cookie, { location: { lat: 0, lng: 0 } })).body;
    const get = (cookie: string) => home.request("GET", `/v1/visits/${visit.id}`, { cookie });
    expect((await get(home.courier.cookie)).status).toBe(200);
    expect((await get(home.recipient.cookie)).status).toBe(200);
    expect((await get((await signInAs(server, "operator")).cookie)).status).toBe(200);
    expect((await get((await signInAs(server, "recipient")).cookie)).status).toBe(404);
    expect((await get((await signInAs(server, "courier")).cookie)).status).toBe(404);
    expect((await get((await signInAs(server, "carrier_admin")).cookie)).status).toBe(404);
    expect((await home.request("GET", "/v1/visits/vis_nope", { cookie: home.courier.cookie })).status).toBe(400);
    const other = await signInAs(server, "courier");
    expect((await secure(visit.id, other.cookie)).status).toBe(404);
    expect((await scan(trackingNumber, home.recipient.cookie)).status).toBe(403);
  });
});

describe.each(TEST_DATABASES)("proof of delivery on %s", (database) => {
  let server: TestServer;
  let home: TestHome;
  beforeAll(async () => {
    server = await startTestServer({ database });
    home = await createHome(server);
  });
  afterAll(async () => {
    await home?.stop();
    await server?.destroy();
  });

  it("proves a delivery with signatures anyone can check, and catches a forged step", async () => {
    const { id: shipmentId, trackingNumber } = await home.shipment();
    const notYet = await home.request("GET", `/v1/shipments/${shipmentId}/proof`, { cookie: home.recipient.cookie });
    expect(notYet.status).toBe(409);
    const visit = (
      await home.request("POST", "/v1/visits", {
        cookie: home.courier.cookie,
        body: { trackingNumber, location: AT_THE_DOOR },
      })
    ).body;
    home.lock.openDoor();
    home.lock.closeDoor();
    expect(
      (await home.request("POST", `/v1/visits/${visit.id}/secure`, { cookie: home.courier.cookie })).body.status,
    ).toBe("secured");

    const proof = (await home.request("GET", `/v1/shipments/${shipmentId}/proof`, { cookie: home.recipient.cookie }))
      .body as DeliveryProof;
    expect(proof.visit).toMatchObject({ id: visit.id, status: "secured", courierFirstName: "Test" });
    expect(proof.commands.map((c) => c.message.action)).toEqual(
      ["record_start", "unlock", "lock", "record_stop"].slice(0, proof.commands.length),
    );
    expect(proof.commands.slice(0, 3).every((c) => c.ack?.status === "succeeded")).toBe(true);
    expect(proof.deviceEvents.map((e) => e.type)).toEqual(
      expect.arrayContaining(["lock.unlocked", "door.opened", "door.closed", "lock.locked"]),
    );
    expect(proof.auditEvents.map((e) => e.type)).toEqual(
      expect.arrayContaining(["visit.authorized", "visit.secured", "shipment.delivered"]),
    );
    expect(verifyProof(proof)).toMatchObject({ ok: true, problems: [] });

    const forged = structuredClone(proof);
    const unlock = forged.commands.find((c) => c.message.action === "unlock");
    if (unlock?.ack) unlock.ack.at += 1;
    const event = forged.deviceEvents.find((e) => e.type === "lock.locked");
    if (event) event.at -= 60_000;
    expect(verifyProof(forged).problems).toHaveLength(2);

    expect(
      (
        await home.request("GET", `/v1/shipments/${shipmentId}/proof`, {
          cookie: (await signInAs(server, "recipient")).cookie,
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await home.request("GET", `/v1/shipments/${shipmentId}/proof`, {
          cookie: (await signInAs(server, "courier")).cookie,
        })
      ).status,
    ).toBe(404);
    expect(
      (await home.request("GET", `/v1/shipments/${shipmentId}/proof`, { cookie: home.courier.cookie })).status,
    ).toBe(200);
  });
});

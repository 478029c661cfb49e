import { ManualClock } from "@threshold/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { auditEventsAbout } from "../../test/audit.js";
import { TEST_DATABASES } from "../../test/databases.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { AT_THE_DOOR, createHome, type TestHome } from "../../test/home.js";
import { openSse } from "../../test/sse.js";
import { until } from "../../test/wait.js";
import { newestFreshness } from "../video/service.js";
import { VisitWatchdog } from "./watchdog.js";

/** Two 2 s segment durations plus the default 1 s of upload slack: older video is stale. */
const STALE_AFTER_MS = 5_000;

describe.each(TEST_DATABASES)("camera-gated opening on %s", (database) => {
  // The server and the home's devices run on this clock; video stops when the test freezes the camera.
  let clock: ManualClock;
  let server: TestServer;
  let home: TestHome;

  beforeEach(async () => {
    clock = new ManualClock(Date.now());
    server = await startTestServer({ database, clock });
    home = await createHome(server);
  });
  afterEach(async () => {
    await home?.stop();
    await server?.destroy();
  });

  const scan = (trackingNumber: string) =>
    home.request("POST", "/v1/visits", {
      cookie: home.courier.cookie,
      body: { trackingNumber, location: AT_THE_DOOR },
    });
  const freshness = () => newestFreshness(server.ctx, home.camera.deviceId);

  it("refuses with camera_not_live while the camera sends no video, though it says it streams", async () => {
    const { trackingNumber } = await home.shipment();
    home.camera.freeze();
    clock.advance(STALE_AFTER_MS + 1);
    expect((await freshness()).freshness).toBe("stale");
    expect(home.camera.state.streaming).toBe(true);

    const refused = await scan(trackingNumber);
    expect(refused.body).toMatchObject({ status: "refused", refusals: [{ code: "camera_not_live" }] });
    expect(home.lock.state.lock).toBe("locked");

    home.camera.unfreeze();
    clock.advance(2_000);
    await until(async () => (await freshness()).freshness === "live", 15_000, "fresh video after the thaw");
    const opened = await scan(trackingNumber);
    expect(opened.body.status).toBe("open");
  });

  it("turns an open visit into a camera_lost incident when the video stops, and tells the recipient", async () => {
    const { trackingNumber } = await home.shipment();
    const events = await openSse(`${server.url}/v1/events/stream`, { cookie: home.recipient.cookie });
    try {
      const visit = (await scan(trackingNumber)).body;
      expect(visit.status).toBe("open");
      const watchdog = new VisitWatchdog(server.ctx);
      await watchdog.tick();
      expect((await home.request("GET", `/v1/visits/${visit.id}`, { cookie: home.courier.cookie })).body.status).toBe(
        "open",
      );

      // The courier is inside, door open, when the picture stops: the lock cannot be retried shut.
      home.lock.openDoor();
      home.camera.freeze();
      clock.advance(STALE_AFTER_MS + 1);
      await watchdog.tick();
      await watchdog.stop();

      const incident = await server.ctx.db
        .selectFrom("incidents")
        .selectAll()
        .where("visit_id", "=", visit.id)
        .executeTakeFirstOrThrow();
      expect(incident).toMatchObject({ kind: "camera_lost", status: "open" });
      const after = (await home.request("GET", `/v1/visits/${visit.id}`, { cookie: home.recipient.cookie })).body;
      expect(after).toMatchObject({ status: "incident", reason: "camera_lost" });

      // The recipient's live stream carries the alert.
      for (;;) {
        const message = await events.next(5_000);
        if (message.event !== "visit.incident") continue;
        expect(JSON.parse(message.data)).toMatchObject({ subjectId: visit.id, data: { kind: "camera_lost" } });
        break;
      }

      // The courier can still finish: the door is proven locked, the incident stays for a person to close.
      home.lock.closeDoor();
      const secured = await home.request("POST", `/v1/visits/${visit.id}/secure`, { cookie: home.courier.cookie });
      expect(secured.body.status).toBe("secured");
      const still = await server.ctx.db
        .selectFrom("incidents")
        .select("status")
        .where("id", "=", incident.id)
        .executeTakeFirstOrThrow();
      expect(still.status).toBe("open");
    } finally {
      events.close();
    }
  });

  it("relocks a closed door when the camera is lost, but does not deliver until the courier says Done", async () => {
    const { id: shipmentId, trackingNumber } = await home.shipment();
    const visit = (await scan(trackingNumber)).body;
    expect(visit.status).toBe("open");
    const watchdog = new VisitWatchdog(server.ctx);
    home.camera.freeze();
    clock.advance(STALE_AFTER_MS + 1);
    await watchdog.tick();
    await watchdog.idle();
    await watchdog.stop();

    // The door happened to be closed: the incident's relock locked it at once. That protects the
    // home; it says nothing about the parcel being inside.
    expect(home.lock.state.lock).toBe("locked");
    const row = await server.ctx.db
      .selectFrom("visits")
      .select("status")
      .where("id", "=", visit.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe("incident");
    const visitEvents = (await auditEventsAbout(server, visit.id)).map((e) => e.type);
    expect(visitEvents).toContain("visit.door_secured");
    expect(visitEvents).not.toContain("visit.secured");
    const shipmentStatus = async () =>
      (
        await server.ctx.db
          .selectFrom("shipments")
          .select("status")
          .where("id", "=", shipmentId)
          .executeTakeFirstOrThrow()
      ).status;
    expect(await shipmentStatus()).toBe("assigned");
    expect((await auditEventsAbout(server, shipmentId)).map((e) => e.type)).not.toContain("shipment.delivered");
    const viewed = (await home.request("GET", `/v1/visits/${visit.id}`, { cookie: home.recipient.cookie })).body;
    expect(viewed).toMatchObject({ status: "incident", doorSecuredAt: expect.any(String) });

    // The courier confirms: now it is delivered.
    const done = await home.request("POST", `/v1/visits/${visit.id}/secure`, { cookie: home.courier.cookie });
    expect(done.body.status).toBe("secured");
    expect(await shipmentStatus()).toBe("delivered");
    expect((await auditEventsAbout(server, shipmentId)).map((e) => e.type)).toContain("shipment.delivered");
  });

  it("forgets a proven-locked door when the courier's later Done fails, so the relocks start over", async () => {
    const { trackingNumber } = await home.shipment();
    const visit = (await scan(trackingNumber)).body;
    const watchdog = new VisitWatchdog(server.ctx);
    home.camera.freeze();
    clock.advance(STALE_AFTER_MS + 1);
    await watchdog.tick();
    await watchdog.idle();
    const view = async () =>
      (await home.request("GET", `/v1/visits/${visit.id}`, { cookie: home.recipient.cookie })).body;
    expect(await view()).toMatchObject({ status: "incident", doorSecuredAt: expect.any(String) });

    // The bolt sticks when the courier taps Done: what the relock proved no longer holds.
    home.lock.jam();
    const done = await home.request("POST", `/v1/visits/${visit.id}/secure`, { cookie: home.courier.cookie });
    expect(done.body).toMatchObject({ status: "incident", reason: "lock_failed", doorSecuredAt: null });
    const locksBefore = await server.ctx.db
      .selectFrom("commands")
      .select("id")
      .where("device_id", "=", home.lock.deviceId)
      .where("action", "=", "lock")
      .execute();
    clock.advance(server.config.incidentRetryMs);
    await watchdog.tick();
    await watchdog.idle();
    await watchdog.stop();
    const locksAfter = await server.ctx.db
      .selectFrom("commands")
      .select("id")
      .where("device_id", "=", home.lock.deviceId)
      .where("action", "=", "lock")
      .execute();
    expect(locksAfter.length).toBeGreaterThan(locksBefore.length);
  });

  it("leaves an open visit alone while its video keeps coming", async () => {
    const { trackingNumber } = await home.shipment();
    const visit = (await scan(trackingNumber)).body;
    const watchdog = new VisitWatchdog(server.ctx);
    for (let second = 0; second < 8; second++) {
      clock.advance(1_000);
      const uploaded = home.camera.uploads.uploaded;
      // Every 2 s of clock the camera finishes a segment; let it arrive before the watchdog looks.
      if (second % 2 === 1) await until(() => home.camera.uploads.uploaded > uploaded, 15_000, "a new segment");
      await watchdog.tick();
    }
    await watchdog.stop();
    const row = await server.ctx.db
      .selectFrom("visits")
      .select("status")
      .where("id", "=", visit.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe("open");
  });
});

import { SyntheticVideoSource, type VideoSource } from "@threshold/devices";
import { afterEach, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../../test/databases.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { AT_THE_DOOR, createHome, type TestHome } from "../../test/home.js";
import { freePort, until } from "../../test/wait.js";
import { VisitWatchdog } from "./watchdog.js";

/**
 * A streaming camera whose visit recording starts only when the test lets it: a window between
 * authorization and unlock.
 */
function gatedVideo(): ((deviceId: string) => VideoSource) & { release(): void; started: Promise<void> } {
  let release = () => {};
  let announce = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const started = new Promise<void>((resolve) => {
    announce = resolve;
  });
  const make = (deviceId: string): VideoSource => {
    const video = new SyntheticVideoSource({ deviceId });
    return {
      async start(visitId) {
        if (visitId) {
          announce();
          await gate;
        }
        await video.start(visitId);
      },
      stop: () => video.stop(),
      onSegment: (listener) => video.onSegment(listener),
    };
  };
  return Object.assign(make, { started, release: () => release() });
}

describe.each(TEST_DATABASES)("visit faults on %s", (database) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  async function setUp(
    options: Parameters<typeof createHome>[1] = {},
    env: Record<string, string> = {},
  ): Promise<{ server: TestServer; home: TestHome }> {
    const server = await startTestServer({ database, env });
    cleanups.push(() => server.destroy());
    const home = await createHome(server, options);
    cleanups.push(() => home.stop());
    return { server, home };
  }
  const scan = (home: TestHome, trackingNumber: string) =>
    home.request("POST", "/v1/visits", {
      cookie: home.courier.cookie,
      body: { trackingNumber, location: AT_THE_DOOR },
    });

  it("a block between authorization and unlock prevents the unlock", async () => {
    const video = gatedVideo();
    const { server, home } = await setUp({ video });
    const { trackingNumber } = await home.shipment();
    const answer = scan(home, trackingNumber);
    let visit: Awaited<typeof answer>["body"];
    try {
      await video.started; // authorized; the camera is asked to record
      // What POST /v1/access/block does, at this very moment.
      await server.ctx.db
        .updateTable("sites")
        .set({ access_blocked_at: Date.now() })
        .where("id", "=", home.siteId)
        .execute();
    } finally {
      video.release();
      visit = (await answer).body;
    }
    expect(visit).toMatchObject({ status: "aborted", reason: "access_blocked" });
    const unlocks = await server.ctx.db
      .selectFrom("commands")
      .select("id")
      .where("device_id", "=", home.lock.deviceId)
      .where("action", "=", "unlock")
      .execute();
    expect(unlocks).toEqual([]);
    expect(home.lock.state.lock).toBe("locked");
  });

  it("a server killed while a visit is opening leaves the lock locked and the visit aborted after restart", async () => {
    const mqttPort = String(await freePort());
    const { server, home } = await setUp({}, { MQTT_PORT: mqttPort });
    const { id: shipmentId } = await home.shipment();
    // The state a crash leaves: the visit was opening and the unlock reached the lock.
    const unlock = await server.ctx.commands.send(home.lock.deviceId, "unlock");
    expect((await unlock.outcome).status).toBe("succeeded");
    expect(home.lock.state.lock).toBe("unlocked");
    const longAgo = Date.now() - 60_000;
    await server.ctx.db
      .insertInto("visits")
      .values({
        id: "vis_01m8aaaaaaaaaaaaaaaaaaaaaa",
        shipment_id: shipmentId,
        site_id: home.siteId,
        access_point_id: home.accessPointId,
        courier_id: home.courier.id,
        carrier_id: home.carrierId,
        status: "opening",
        requested_at: longAgo,
        authorized_at: longAgo,
        lock_device_id: home.lock.deviceId,
        camera_device_id: home.camera.deviceId,
        updated_at: longAgo,
      })
      .execute();
    await server.stop();
    const restarted = await startTestServer({ database, reuse: server, env: { MQTT_PORT: mqttPort } });
    cleanups.push(() => restarted.stop());
    await until(() => home.lock.state.lock === "locked");
    const visit = await restarted.ctx.db
      .selectFrom("visits")
      .selectAll()
      .where("id", "=", "vis_01m8aaaaaaaaaaaaaaaaaaaaaa")
      .executeTakeFirstOrThrow();
    expect(visit).toMatchObject({ status: "aborted", reason: "server_restarted" });
  });

  it("a courier who never secures raises an incident; the lock is retried and the incident stays open", async () => {
    const { server, home } = await setUp({}, { VISIT_MAX_OPEN_S: "10" });
    const { trackingNumber } = await home.shipment();
    const visit = (await scan(home, trackingNumber)).body;
    expect(visit.status).toBe("open");
    await server.ctx.db
      .updateTable("visits")
      .set({ deadline_at: Date.now() - 1 })
      .where("id", "=", visit.id)
      .execute();
    const watchdog = new VisitWatchdog(server.ctx);
    await watchdog.tick();
    await watchdog.stop();
    const after = await server.ctx.db
      .selectFrom("visits")
      .selectAll()
      .where("id", "=", visit.id)
      .executeTakeFirstOrThrow();
    // The retried lock found the door closed and locked it; the courier never said Done, so the
    // visit stays an incident with the door proven locked, and the parcel is not delivered.
    expect(after.status).toBe("incident");
    expect(after.door_secured_at).not.toBeNull();
    expect(home.lock.state.lock).toBe("locked");
    const incident = await server.ctx.db
      .selectFrom("incidents")
      .selectAll()
      .where("visit_id", "=", visit.id)
      .executeTakeFirstOrThrow();
    expect(incident).toMatchObject({ kind: "not_secured", status: "open" });
    const types = (
      await server.ctx.db.selectFrom("audit_events").select("type").where("subject_id", "=", visit.id).execute()
    ).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(["visit.incident", "visit.door_secured"]));
    expect(types).not.toContain("visit.secured");
  });
});

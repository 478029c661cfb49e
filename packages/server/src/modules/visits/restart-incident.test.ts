import { ManualClock } from "@threshold/core";
import { afterEach, describe, expect, it } from "vitest";
import { auditEventsAbout } from "../../test/audit.js";
import { TEST_DATABASES } from "../../test/databases.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { AT_THE_DOOR, createHome, type TestHome } from "../../test/home.js";
import { apiClient } from "../../test/http.js";
import { freePort, until, untilDeviceOnline } from "../../test/wait.js";

/**
 * A server that dies mid-visit (hostile review, issue 15 finding 4): after the restart the incident
 * says the server restarted (not that the camera was lost), and the relock the door is owed goes
 * out the moment its lock connects again — not a retry period later. The clock stands still after
 * the restart, so no periodic retry can be what locks the door.
 */
/** Short-lived commands: a relock sent to the absent lock gives up (and lets the server stop) sooner. */
const ENV = { COMMAND_TTL_S: "3" };
/** Two server starts on a machine shared with other work. */
const TWO_STARTS_MS = 60_000;

describe.each(TEST_DATABASES)("a restart mid-visit on %s", (database) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp(): Promise<{ server: TestServer; home: TestHome; clock: ManualClock; mqttPort: string }> {
    const clock = new ManualClock(Date.now());
    const mqttPort = String(await freePort());
    const server = await startTestServer({ database, clock, env: { ...ENV, MQTT_PORT: mqttPort } });
    cleanups.push(() => server.destroy());
    const home = await createHome(server);
    cleanups.push(() => home.stop());
    return { server, home, clock, mqttPort };
  }

  /** The lock loses its network, the server dies and stays down for half a minute, then starts again. */
  async function restartWithLockAway(
    setup: Awaited<ReturnType<typeof setUp>>,
  ): Promise<{ restarted: TestServer; request: ReturnType<typeof apiClient> }> {
    const { server, home, clock, mqttPort } = setup;
    await home.lock.goOffline();
    await untilDeviceOnline(server, home.lock.deviceId, false);
    await server.stop();
    clock.advance(30_000);
    const restarted = await startTestServer({ database, clock, reuse: server, env: { ...ENV, MQTT_PORT: mqttPort } });
    cleanups.push(() => restarted.stop());
    return { restarted, request: apiClient(restarted.url) };
  }

  it(
    "turns an open visit into a server_restarted incident and relocks the door when its lock connects",
    async () => {
      const setup = await setUp();
      const { home } = setup;
      const { id: shipmentId, trackingNumber } = await home.shipment();
      const visit = (
        await home.request("POST", "/v1/visits", {
          cookie: home.courier.cookie,
          body: { trackingNumber, location: AT_THE_DOOR },
        })
      ).body;
      expect(visit.status).toBe("open");
      expect(home.lock.state).toMatchObject({ lock: "unlocked", door: "closed" });

      const { restarted, request } = await restartWithLockAway(setup);
      const incident = await restarted.ctx.db
        .selectFrom("incidents")
        .selectAll()
        .where("visit_id", "=", visit.id)
        .executeTakeFirstOrThrow();
      expect(incident).toMatchObject({ kind: "server_restarted", status: "open" });
      expect(home.lock.state.lock).toBe("unlocked");

      await home.lock.goOnline();
      await until(() => home.lock.state.lock === "locked", 15_000, "the relock when the lock connected");

      // The door is safe; nobody said the parcel is inside, so it is not delivered.
      await until(
        async () => (await auditEventsAbout(restarted, visit.id)).some((e) => e.type === "visit.door_secured"),
        5_000,
        "visit.door_secured",
      );
      const row = await restarted.ctx.db
        .selectFrom("visits")
        .select("status")
        .where("id", "=", visit.id)
        .executeTakeFirstOrThrow();
      expect(row.status).toBe("incident");
      const shipment = await restarted.ctx.db
        .selectFrom("shipments")
        .select("status")
        .where("id", "=", shipmentId)
        .executeTakeFirstOrThrow();
      expect(shipment.status).toBe("assigned");

      // The courier, still at the door, can finish: Done delivers it.
      const done = await request("POST", `/v1/visits/${visit.id}/secure`, { cookie: home.courier.cookie });
      expect(done.body.status).toBe("secured");
      expect(
        (
          await restarted.ctx.db
            .selectFrom("shipments")
            .select("status")
            .where("id", "=", shipmentId)
            .executeTakeFirstOrThrow()
        ).status,
      ).toBe("delivered");
    },
    TWO_STARTS_MS,
  );

  it(
    "relocks the door of a visit a restart aborted when its lock connects",
    async () => {
      const setup = await setUp();
      const { server, home } = setup;
      const { id: shipmentId } = await home.shipment();
      const visitId = "vis_01m8cccccccccccccccccccccc";
      // Fresh when the server dies, so only the restarted server finds it stale (half a minute later).
      const now = setup.clock.now();
      await server.ctx.db
        .insertInto("visits")
        .values({
          id: visitId,
          shipment_id: shipmentId,
          site_id: home.siteId,
          access_point_id: home.accessPointId,
          courier_id: home.courier.id,
          carrier_id: home.carrierId,
          status: "opening",
          requested_at: now,
          authorized_at: now,
          lock_device_id: home.lock.deviceId,
          camera_device_id: home.camera.deviceId,
          updated_at: now,
        })
        .execute();
      // The visit's unlock reached the lock just before the crash.
      const unlock = await server.ctx.commands.send(home.lock.deviceId, "unlock", { visitId });
      expect((await unlock.outcome).status).toBe("succeeded");

      const { restarted } = await restartWithLockAway(setup);
      const row = await restarted.ctx.db
        .selectFrom("visits")
        .select(["status", "reason"])
        .where("id", "=", visitId)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ status: "aborted", reason: "server_restarted" });
      expect(home.lock.state.lock).toBe("unlocked");

      await home.lock.goOnline();
      await until(() => home.lock.state.lock === "locked", 15_000, "the relock when the lock connected");
    },
    TWO_STARTS_MS,
  );
});

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../../test/databases.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { AT_THE_DOOR, createHome, type TestHome } from "../../test/home.js";
import { until, untilDeviceOnline } from "../../test/wait.js";
import { VisitWatchdog } from "./watchdog.js";

/**
 * The relock owed after an aborted visit (hostile review, issue 15 finding 3): it makes sure the
 * door the visit may have unlocked ends locked, and it ends once the lock has reported locked since
 * the abort or someone later took the door over — it never locks against a newer, authorized unlock.
 */
const LEFT_OPENING = "vis_01m8bbbbbbbbbbbbbbbbbbbbbb";

describe.each(TEST_DATABASES)("the relock after an aborted visit on %s", (database) => {
  let server: TestServer;
  let home: TestHome;
  let watchdog: VisitWatchdog;
  beforeEach(async () => {
    server = await startTestServer({ database });
    home = await createHome(server);
    watchdog = new VisitWatchdog(server.ctx);
  });
  afterEach(async () => {
    await watchdog?.stop();
    await home?.stop();
    await server?.destroy();
  });

  /** A visit a dead process left `opening` a minute ago: the watchdog's next pass aborts it. */
  async function visitLeftOpening(server: TestServer, home: TestHome): Promise<string> {
    const { id: shipmentId } = await home.shipment();
    const longAgo = server.ctx.clock.now() - 60_000;
    const id = LEFT_OPENING;
    await server.ctx.db
      .insertInto("visits")
      .values({
        id,
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
    return id;
  }

  const status = async (server: TestServer, visitId: string) =>
    (await server.ctx.db.selectFrom("visits").select("status").where("id", "=", visitId).executeTakeFirstOrThrow())
      .status;
  /** Lock commands to the home's lock issued at or after `since`. */
  const locksSince = async (server: TestServer, home: TestHome, since: number) =>
    server.ctx.db
      .selectFrom("commands")
      .select(["id", "params"])
      .where("device_id", "=", home.lock.deviceId)
      .where("action", "=", "lock")
      .where("issued_at", ">=", since)
      .execute();
  /** The lock's stored state says `lock` (the gateway has heard it). */
  const reportedLock = (server: TestServer, home: TestHome, lock: string) =>
    until(async () => {
      const row = await server.ctx.db
        .selectFrom("devices")
        .select("reported_state")
        .where("id", "=", home.lock.deviceId)
        .executeTakeFirstOrThrow();
      return JSON.parse(row.reported_state ?? "{}").lock === lock;
    });

  it("leaves the owner's own unlock after an abort alone", async () => {
    const visitId = await visitLeftOpening(server, home);
    await watchdog.tick();
    expect(await status(server, visitId)).toBe("aborted");
    await until(() => home.lock.state.lock === "locked");

    const opened = await home.request("POST", `/v1/access-points/${home.accessPointId}/open`, {
      cookie: home.recipient.cookie,
    });
    expect(opened.body).toMatchObject({ status: "succeeded" });
    await reportedLock(server, home, "unlocked");
    const afterOwner = server.ctx.clock.now();

    // The watchdog looks at the aborted visit with the owner's door unlocked, and sends nothing.
    await watchdog.tick();
    await watchdog.idle();
    expect(await locksSince(server, home, afterOwner)).toEqual([]);
    expect(home.lock.state.lock).toBe("unlocked");
  });

  it("leaves a new courier visit opened after an abort open", async () => {
    const visitId = await visitLeftOpening(server, home);
    await watchdog.tick();
    expect(await status(server, visitId)).toBe("aborted");
    await until(() => home.lock.state.lock === "locked");

    const { trackingNumber } = await home.shipment();
    const next = await home.request("POST", "/v1/visits", {
      cookie: home.courier.cookie,
      body: { trackingNumber, location: AT_THE_DOOR },
    });
    expect(next.body.status).toBe("open");
    await reportedLock(server, home, "unlocked");
    const afterOpen = server.ctx.clock.now();

    await watchdog.tick();
    await watchdog.idle();
    expect(await locksSince(server, home, afterOpen)).toEqual([]);
    expect(home.lock.state.lock).toBe("unlocked");
    expect(await status(server, next.body.id)).toBe("open");
  });

  it("still relocks an aborted visit's lock that reports unlocked when nobody took the door over", async () => {
    // The crash: the visit's unlock reached the lock; then the lock lost its network, so the abort's
    // own relock cannot reach it. The visit row appears only once the lock is unreachable: the
    // server's own watchdog (every second) would otherwise abort it and relock the lock first.
    const unlock = await server.ctx.commands.send(home.lock.deviceId, "unlock", { visitId: LEFT_OPENING });
    expect((await unlock.outcome).status).toBe("succeeded");
    await reportedLock(server, home, "unlocked");
    await home.lock.goOffline();
    await untilDeviceOnline(server, home.lock.deviceId, false);
    const visitId = await visitLeftOpening(server, home);
    await watchdog.tick();
    expect(await status(server, visitId)).toBe("aborted");
    expect(home.lock.state.lock).toBe("unlocked");

    // Back online and still unlocked, nobody else has used the door: the lock is told to lock.
    await home.lock.goOnline();
    await untilDeviceOnline(server, home.lock.deviceId, true);
    await watchdog.tick();
    await until(() => home.lock.state.lock === "locked", 15_000, "the aborted visit's lock relocked");
  });
});

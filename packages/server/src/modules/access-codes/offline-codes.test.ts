import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../../test/databases.js";
import { signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { createHome, type TestHome } from "../../test/home.js";
import { until, untilDeviceOnline } from "../../test/wait.js";
import { createApiKey } from "../shipments/test-support/index.js";
import { VisitWatchdog } from "../visits/watchdog.js";

describe.each(TEST_DATABASES)("offline codes and the keypad on %s", (database) => {
  let server: TestServer;
  let home: TestHome;
  let key: string;

  beforeAll(async () => {
    server = await startTestServer({ database });
    home = await createHome(server);
    const admin = await signInAs(server, "carrier_admin", { carrierId: home.carrierId });
    key = await createApiKey(home.request, admin, ["shipments:read", "shipments:write"]);
  });
  afterAll(async () => {
    await home?.stop();
    await server?.destroy();
  });

  const ask = (shipmentId: string, body: Record<string, unknown> = { kind: "offline" }) =>
    home.request("POST", `/v1/shipments/${shipmentId}/access-codes`, { bearer: key, body });
  const digits = async (shipmentId: string): Promise<string> => {
    const res = await home.request("GET", `/v1/shipments/${shipmentId}/access-codes`, { cookie: home.courier.cookie });
    return res.body.accessCodes.at(-1)?.code;
  };
  const withdraw = (shipmentId: string, codeId: string) =>
    home.request("DELETE", `/v1/shipments/${shipmentId}/access-codes/${codeId}`, { bearer: key });
  const lockOnline = (online: boolean) => untilDeviceOnline(server, home.lock.deviceId, online);
  const codeRow = (id: string) =>
    server.ctx.db.selectFrom("access_codes").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const auditTypes = async (subjectId: string) =>
    (
      await server.ctx.db
        .selectFrom("audit_events")
        .select("type")
        .where("subject_id", "=", subjectId)
        .orderBy("seq")
        .execute()
    ).map((e) => e.type);

  /** Runs `body` with offline codes allowed as the door's standing fallback (so also while the lock is online). */
  const withOfflineCodesAllowed = async (body: () => Promise<void>) => {
    const consentPath = `/v1/access-points/${home.accessPointId}/consent`;
    const consent = { methods: ["in_home"], days: [1, 2, 3, 4, 5, 6, 7], from: "00:00", to: "24:00", timezone: "UTC" };
    await home.request("PUT", consentPath, { cookie: home.recipient.cookie, body: { ...consent, offlineCodes: true } });
    try {
      await body();
    } finally {
      await home.request("PUT", consentPath, { cookie: home.recipient.cookie, body: consent });
    }
  };

  it("is refused while the lock is online, unless the recipient allowed offline codes as a fallback", async () => {
    const { id } = await home.shipment();
    const res = await ask(id);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("lock_online");

    const consentPath = `/v1/access-points/${home.accessPointId}/consent`;
    const consent = { methods: ["in_home"], days: [1, 2, 3, 4, 5, 6, 7], from: "00:00", to: "24:00", timezone: "UTC" };
    const allowed = await home.request("PUT", consentPath, {
      cookie: home.recipient.cookie,
      body: { ...consent, offlineCodes: true },
    });
    expect(allowed.body.consent).toMatchObject({ offlineCodes: true });
    try {
      const fallback = await ask(id);
      expect(fallback.status).toBe(201);
      expect(fallback.body).toMatchObject({ kind: "offline", status: "issued", revocable: false });
    } finally {
      await home.request("PUT", consentPath, { cookie: home.recipient.cookie, body: consent });
    }
    expect((await ask(id)).body.error?.code).toBe("lock_online");
  });

  it("opens the offline lock once in its hour, and is reconciled into a secured visit when the lock reconnects", async () => {
    const { id: shipmentId } = await home.shipment();
    await home.lock.goOffline();
    await lockOnline(false);
    const asked = await ask(shipmentId);
    expect(asked.status).toBe(201);
    expect(asked.body).toMatchObject({ kind: "offline", status: "issued", revocable: false });
    expect(asked.body.notice).toContain("cannot be revoked while the lock is unreachable");
    expect(asked.body.code).toBeUndefined();
    const code = await digits(shipmentId);
    expect(code).toMatch(/^[0-9]{9}$/);

    // At the door, with no network: the lock checks the code by itself.
    expect(await home.lock.enterCode(code)).toMatchObject({ result: "opened", kind: "offline" });
    home.lock.openDoor();
    home.lock.closeDoor();
    home.lock.lockByHand();
    expect(await home.lock.enterCode(code)).toMatchObject({ result: "refused" });
    expect((await codeRow(asked.body.id)).status).toBe("issued");

    await home.lock.goOnline();
    await until(async () => (await codeRow(asked.body.id)).status === "used", 15_000, "offline use reconciled");
    const row = await codeRow(asked.body.id);
    expect(row.visit_id).not.toBeNull();
    const visit = await server.ctx.db
      .selectFrom("visits")
      .selectAll()
      .where("id", "=", row.visit_id as string)
      .executeTakeFirstOrThrow();
    expect(visit).toMatchObject({
      status: "secured",
      reason: "offline_code",
      access_code_id: asked.body.id,
      shipment_id: shipmentId,
      courier_id: home.courier.id,
    });
    expect(visit.reconciled_at).not.toBeNull();
    expect(Number(visit.opened_at)).toBe(Number(row.used_at));
    expect(await auditTypes(asked.body.id)).toEqual(["access_code.issued", "access_code.used"]);
    expect(await auditTypes(visit.id)).toEqual(["visit.recorded_offline", "visit.secured"]);
    const shipment = await server.ctx.db
      .selectFrom("shipments")
      .select(["status", "delivered_visit_id"])
      .where("id", "=", shipmentId)
      .executeTakeFirstOrThrow();
    expect(shipment).toEqual({ status: "delivered", delivered_visit_id: visit.id });
    // The audit chain still verifies with the reconciled events in it.
    expect(await server.ctx.audit.verify()).toMatchObject({ ok: true });
  });

  it("keeps an offline use reported within the courier's time, with the door still unlocked, open until the lock proves it locked", async () => {
    const { id: shipmentId } = await home.shipment();
    await home.lock.goOffline();
    await lockOnline(false);
    const asked = await ask(shipmentId);
    expect(await home.lock.enterCode(await digits(shipmentId))).toMatchObject({ result: "opened" });
    // On connecting the lock reports its (unlocked) state first, then the use: the courier may still be at the door.
    await home.lock.goOnline();
    await until(async () => (await codeRow(asked.body.id)).status === "used", 15_000, "offline use reconciled");
    const visitId = (await codeRow(asked.body.id)).visit_id as string;
    const visit = () =>
      server.ctx.db.selectFrom("visits").selectAll().where("id", "=", visitId).executeTakeFirstOrThrow();
    expect((await visit()).status).toBe("open");
    const incidents = await server.ctx.db
      .selectFrom("incidents")
      .select("id")
      .where("visit_id", "=", visitId)
      .execute();
    expect(incidents).toEqual([]);
    home.lock.lockByHand();
    await until(async () => (await visit()).status === "secured", 15_000, "visit secured on the lock's proof");
  });

  it("records an offline use reported after the courier's time, with the door still unlocked, as an incident at once", async () => {
    const { id: shipmentId } = await home.shipment();
    await home.lock.goOffline();
    await lockOnline(false);
    const asked = await ask(shipmentId);
    expect(asked.status).toBe(201);
    expect(await home.lock.enterCode(await digits(shipmentId))).toMatchObject({ result: "opened" });
    // The lock comes back after the courier's time since the opening is over (here: at once).
    const courierTime = server.ctx.config.visitMaxOpenMs;
    server.ctx.config.visitMaxOpenMs = 0;
    try {
      await home.lock.goOnline();
      await until(async () => (await codeRow(asked.body.id)).status === "used", 15_000, "offline use reconciled");
    } finally {
      server.ctx.config.visitMaxOpenMs = courierTime;
    }
    const row = await codeRow(asked.body.id);
    const incident = await server.ctx.db
      .selectFrom("incidents")
      .selectAll()
      .where("visit_id", "=", row.visit_id as string)
      .executeTakeFirstOrThrow();
    expect(incident).toMatchObject({ kind: "offline_visit_unsecured", status: "open", site_id: home.siteId });
    // Put the door back as it was for the next test, and let the server see it.
    home.lock.lockByHand();
    await until(
      async () =>
        (
          await server.ctx.db
            .selectFrom("devices")
            .select("reported_state")
            .where("id", "=", home.lock.deviceId)
            .executeTakeFirstOrThrow()
        ).reported_state?.includes('"lock":"locked"') === true,
      5_000,
      "lock reported locked",
    );
  });

  it("is withdrawn through a reachable lock at once: the lock refuses it from then on", async () => {
    await withOfflineCodesAllowed(async () => {
      const { id: shipmentId } = await home.shipment();
      const asked = await ask(shipmentId);
      expect(asked.body).toMatchObject({ kind: "offline", status: "issued" });
      const code = await digits(shipmentId);
      const removed = await withdraw(shipmentId, asked.body.id);
      expect(removed.status).toBe(200);
      expect(removed.body).toMatchObject({ status: "removed", removedReason: "carrier" });
      expect(removed.body.removedFromLockAt).not.toBeNull();
      expect(await home.lock.enterCode(code)).toMatchObject({ result: "refused" });
      expect(home.lock.state.lock).toBe("locked");
      expect(await auditTypes(asked.body.id)).toEqual([
        "access_code.issued",
        "access_code.removed",
        "access_code.removed_from_lock",
      ]);
      // Withdrawn twice: the same answer, nothing more sent.
      expect((await withdraw(shipmentId, asked.body.id)).body).toMatchObject({ status: "removed" });
    });
  });

  it("withdrawn while the lock is unreachable: queued and said so, sent when the lock is back; a use before that is recorded as such", async () => {
    const { id: queuedShipment } = await home.shipment();
    const { id: usedShipment } = await home.shipment();
    await home.lock.goOffline();
    await lockOnline(false);
    const queued = await ask(queuedShipment);
    const queuedCode = await digits(queuedShipment);
    const used = await ask(usedShipment);
    const usedCode = await digits(usedShipment);
    const removing = await withdraw(queuedShipment, queued.body.id);
    expect(removing.status).toBe(200);
    expect(removing.body).toMatchObject({ status: "removing", removedReason: "carrier", removedFromLockAt: null });
    expect(removing.body.notice).toContain("Withdrawal queued");
    expect((await withdraw(usedShipment, used.body.id)).body).toMatchObject({ status: "removing" });
    // The lock has not heard: the second code still opens, once.
    expect(await home.lock.enterCode(usedCode)).toMatchObject({ result: "opened", kind: "offline" });
    home.lock.lockByHand();

    await home.lock.goOnline();
    await until(async () => (await codeRow(queued.body.id)).status === "removed", 10_000, "the lock told");
    expect(await home.lock.enterCode(queuedCode)).toMatchObject({ result: "refused" });
    await until(async () => (await codeRow(used.body.id)).status === "used", 15_000, "the use reconciled");
    const row = await codeRow(used.body.id);
    const incident = await server.ctx.db
      .selectFrom("incidents")
      .selectAll()
      .where("visit_id", "=", row.visit_id as string)
      .executeTakeFirstOrThrow();
    expect(incident).toMatchObject({ kind: "offline_code_used_after_revocation", status: "open" });
    const usedEvent = await server.ctx.db
      .selectFrom("audit_events")
      .select("data")
      .where("subject_id", "=", used.body.id)
      .where("type", "=", "access_code.used")
      .executeTakeFirstOrThrow();
    expect(JSON.parse(usedEvent.data)).toMatchObject({ beforeRevocationReachedLock: true });
  });

  it("secures an offline code's visit only on a locked-and-closed state the lock signed after the opening", async () => {
    // The lock is online: its report of the use and its unlocked state reach the server in either
    // order. Within the courier's time neither secures the visit nor makes it an incident.
    const { id: shipmentId } = await home.shipment();
    await withOfflineCodesAllowed(async () => {
      const asked = await ask(shipmentId);
      expect(asked.status).toBe(201);
      expect(await home.lock.enterCode(await digits(shipmentId))).toMatchObject({ result: "opened", kind: "offline" });
      await until(async () => (await codeRow(asked.body.id)).status === "used", 15_000, "offline use reconciled");
      const lockState = async () =>
        (
          await server.ctx.db
            .selectFrom("devices")
            .select("reported_state")
            .where("id", "=", home.lock.deviceId)
            .executeTakeFirstOrThrow()
        ).reported_state ?? "";
      await until(async () => (await lockState()).includes('"lock":"unlocked"'), 15_000, "unlock reported");
      const visitId = (await codeRow(asked.body.id)).visit_id as string;
      const visitStatus = async () =>
        (await server.ctx.db.selectFrom("visits").select("status").where("id", "=", visitId).executeTakeFirstOrThrow())
          .status;
      const shipmentStatus = async () =>
        (
          await server.ctx.db
            .selectFrom("shipments")
            .select("status")
            .where("id", "=", shipmentId)
            .executeTakeFirstOrThrow()
        ).status;
      // The door is unlocked: nothing is secured and nothing delivered.
      expect(await visitStatus()).toBe("open");
      expect(await shipmentStatus()).not.toBe("delivered");

      home.lock.openDoor();
      home.lock.closeDoor();
      home.lock.lockByHand();
      await until(async () => (await visitStatus()) === "secured", 15_000, "visit secured on the lock's proof");
      expect(await shipmentStatus()).toBe("delivered");
      expect(await auditTypes(visitId)).toEqual(["visit.recorded_offline", "visit.secured"]);
    });
  });

  it("turns an offline visit whose lock never proves itself locked into an incident, and locks the door", async () => {
    const { id: shipmentId } = await home.shipment();
    await withOfflineCodesAllowed(async () => {
      const asked = await ask(shipmentId);
      expect(await home.lock.enterCode(await digits(shipmentId))).toMatchObject({ result: "opened" });
      await until(async () => (await codeRow(asked.body.id)).visit_id !== null, 15_000, "offline use reconciled");
      const visitId = (await codeRow(asked.body.id)).visit_id as string;
      // The courier's time runs out with the door still unlocked.
      await server.ctx.db
        .updateTable("visits")
        .set({ deadline_at: server.ctx.clock.now() - 1 })
        .where("id", "=", visitId)
        .execute();
      const watchdog = new VisitWatchdog(server.ctx);
      await watchdog.tick();
      await watchdog.stop();
      const incident = await server.ctx.db
        .selectFrom("incidents")
        .selectAll()
        .where("visit_id", "=", visitId)
        .executeTakeFirstOrThrow();
      expect(incident).toMatchObject({ kind: "offline_visit_unsecured", status: "open" });
      await until(async () => home.lock.state.lock === "locked", 15_000, "the watchdog locked the door");
      const shipment = await server.ctx.db
        .selectFrom("shipments")
        .select("status")
        .where("id", "=", shipmentId)
        .executeTakeFirstOrThrow();
      expect(shipment.status).not.toBe("delivered");
    });
  });

  it("refuses an hour outside the window", async () => {
    const now = server.ctx.clock.now();
    const { id: shipmentId } = await home.shipment({ windowStart: now - 60_000, windowEnd: now + 3_600_000 });
    await home.lock.goOffline();
    await lockOnline(false);
    try {
      const res = await ask(shipmentId, { kind: "offline", at: new Date(now + 4 * 3_600_000).toISOString() });
      expect(res.body.error?.code).toBe("invalid_window");
      expect(res.status).toBe(400);
    } finally {
      await home.lock.goOnline();
      await lockOnline(true);
    }
  });

  it("alerts the recipient when the keypad locks out after five wrong codes", async () => {
    for (let i = 0; i < 5; i++) await home.lock.enterCode("000000001");
    await until(
      async () =>
        (await server.ctx.db
          .selectFrom("audit_events")
          .select("id")
          .where("type", "=", "lock.wrong_code_limit")
          .where("site_id", "=", home.siteId)
          .executeTakeFirst()) !== undefined,
      5_000,
      "wrong-code alarm audited",
    );
    const seen = await home.request("GET", "/v1/audit/events?type=lock.wrong_code_limit", {
      cookie: home.recipient.cookie,
    });
    expect(seen.status).toBe(200);
    expect(JSON.stringify(seen.body)).toContain("lock.wrong_code_limit");
  });
});

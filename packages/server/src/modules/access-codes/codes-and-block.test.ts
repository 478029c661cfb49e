import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { auditEventsAbout } from "../../test/audit.js";
import { TEST_DATABASES } from "../../test/databases.js";
import { signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { AT_THE_DOOR, createHome, type TestHome } from "../../test/home.js";
import { until, untilDeviceOnline } from "../../test/wait.js";
import { createApiKey } from "../shipments/test-support/index.js";

/** The block switch stops every code Threshold controls (docs/access-codes.md#when-access-is-blocked). */
describe.each(TEST_DATABASES)("codes and the block switch on %s", (database) => {
  let server: TestServer;
  let home: TestHome;
  let key: string;

  beforeAll(async () => {
    server = await startTestServer({ database });
    home = await createHome(server);
    const admin = await signInAs(server, "carrier_admin", { carrierId: home.carrierId });
    key = await createApiKey(home.request, admin, ["shipments:read", "shipments:write"]);
  });
  afterEach(async () => {
    await home.request("POST", "/v1/access/unblock", { cookie: home.recipient.cookie, body: {} });
    if (!home.lock.connected) await home.lock.goOnline();
    await untilDeviceOnline(server, home.lock.deviceId, true);
  });
  afterAll(async () => {
    await home?.stop();
    await server?.destroy();
  });

  const ask = (shipmentId: string, body: Record<string, unknown> = {}) =>
    home.request("POST", `/v1/shipments/${shipmentId}/access-codes`, { bearer: key, body });
  const codeOf = async (shipmentId: string, codeId: string) =>
    (await home.request("GET", `/v1/shipments/${shipmentId}/access-codes/${codeId}`, { bearer: key })).body;
  const digits = async (shipmentId: string): Promise<string> => {
    const res = await home.request("GET", `/v1/shipments/${shipmentId}/access-codes`, { cookie: home.courier.cookie });
    return res.body.accessCodes.at(-1)?.code;
  };
  const checkIn = (trackingNumber: string, accessCodeId: string) =>
    home.request("POST", "/v1/visits", {
      cookie: home.courier.cookie,
      body: { trackingNumber, location: AT_THE_DOOR, accessCodeId },
    });
  const visitOf = async (id: string) =>
    (await home.request("GET", `/v1/visits/${id}`, { cookie: home.courier.cookie })).body;
  const setBlock = (blocked: boolean) =>
    home.request("POST", blocked ? "/v1/access/block" : "/v1/access/unblock", {
      cookie: home.recipient.cookie,
      body: { siteId: home.siteId },
    });
  const codeRow = (id: string) =>
    server.ctx.db.selectFrom("access_codes").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const typesOf = async (id: string) => (await auditEventsAbout(server, id)).map((e) => e.type);
  const lockOnline = (online: boolean) => untilDeviceOnline(server, home.lock.deviceId, online);
  const lockReportsLocked = () =>
    until(
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

  it("blocking takes a checked-in courier's code off the lock at once: the code no longer opens, the visit ends, the carrier sees why", async () => {
    const { id: shipmentId, trackingNumber } = await home.shipment();
    const asked = await ask(shipmentId);
    expect(asked.body).toMatchObject({ status: "set" });
    const codeId: string = asked.body.id;
    const pin = await digits(shipmentId);
    const visit = await checkIn(trackingNumber, codeId);
    expect(visit.body).toMatchObject({ status: "opening" });

    const blocked = await setBlock(true);
    expect(blocked.status).toBe(200);
    // The lock forgot it: the courier's typing does nothing.
    expect(await home.lock.enterCode(pin)).toMatchObject({ result: "refused" });
    expect(home.lock.state.lock).toBe("locked");
    expect(blocked.body.sites).toEqual([
      expect.objectContaining({ siteId: home.siteId, accessCodesWithdrawn: 1, accessCodesPending: 0 }),
    ]);
    const ended = await visitOf(visit.body.id);
    expect(ended).toMatchObject({ status: "aborted", reason: "access_blocked" });
    expect(ended.message).toContain("blocked all access");
    expect(await codeOf(shipmentId, codeId)).toMatchObject({ status: "removed", removedReason: "access_blocked" });
    expect((await codeRow(codeId)).removed_from_lock_at).not.toBeNull();
    expect(await typesOf(codeId)).not.toContain("access_code.used");

    // Lifting the block does not put it back: the carrier asks for a new code.
    await setBlock(false);
    expect(await codeOf(shipmentId, codeId)).toMatchObject({ status: "removed", removedReason: "access_blocked" });
    expect((await checkIn(trackingNumber, codeId)).body.error?.code).toBe("access_code_unusable");
  });

  it("a lock that had not heard of the block: the code's use opens no visit, is recorded as used while blocked and raises an incident; the lock is told once back", async () => {
    const { id: shipmentId, trackingNumber } = await home.shipment();
    const codeId: string = (await ask(shipmentId)).body.id;
    const pin = await digits(shipmentId);
    const visit = await checkIn(trackingNumber, codeId);
    expect(visit.body).toMatchObject({ status: "opening" });
    await home.lock.goOffline();
    await lockOnline(false);

    const blocked = await setBlock(true);
    expect(blocked.body.sites).toEqual([
      expect.objectContaining({ siteId: home.siteId, accessCodesWithdrawn: 1, accessCodesPending: 1 }),
    ]);
    // The lock has not heard: it still opens for the enabled code.
    expect(await home.lock.enterCode(pin)).toMatchObject({ result: "opened", kind: "online" });
    home.lock.lockByHand();
    await home.lock.goOnline();
    await until(async () => (await codeRow(codeId)).used_at !== null, 15_000, "the use reported");
    await until(async () => (await codeRow(codeId)).removed_from_lock_at !== null, 10_000, "the lock told");
    expect(await codeRow(codeId)).toMatchObject({ status: "removed", removed_reason: "access_blocked" });
    expect(await typesOf(codeId)).toContain("access_code.used_while_blocked");
    expect(await typesOf(codeId)).not.toContain("access_code.used");
    // Threshold never let it open: the visit stays stopped, never a delivery, and the recipient gets an incident.
    expect(await visitOf(visit.body.id)).toMatchObject({ status: "aborted", reason: "access_blocked" });
    const incident = await server.ctx.db
      .selectFrom("incidents")
      .selectAll()
      .where("visit_id", "=", visit.body.id)
      .executeTakeFirstOrThrow();
    expect(incident).toMatchObject({ kind: "code_used_while_blocked", status: "open", site_id: home.siteId });
    expect(await typesOf(incident.id)).toEqual(["incident.opened"]);
    expect(await typesOf(visit.body.id)).not.toContain("visit.open");
    const shipment = await server.ctx.db
      .selectFrom("shipments")
      .select("status")
      .where("id", "=", shipmentId)
      .executeTakeFirstOrThrow();
    expect(shipment.status).toBe("assigned");
  });

  it("offline codes: none is issued while blocked; one given out before is named by the block, and its use during the block is an incident, never secured", async () => {
    const { id: shipmentId } = await home.shipment();
    await home.lock.goOffline();
    await lockOnline(false);
    const issued = await ask(shipmentId, { kind: "offline" });
    expect(issued.status).toBe(201);
    const code = await digits(shipmentId);

    const blocked = await setBlock(true);
    const { id: another } = await home.shipment();
    const refused = await ask(another, { kind: "offline" });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("access_blocked");
    expect(blocked.body.sites).toEqual([expect.objectContaining({ siteId: home.siteId, offlineCodesOutstanding: 1 })]);
    expect(
      await server.ctx.db.selectFrom("access_codes").select("id").where("shipment_id", "=", another).execute(),
    ).toEqual([]);

    // The lock, with no network, cannot know: the code opens, and the door is left locked and closed.
    expect(await home.lock.enterCode(code)).toMatchObject({ result: "opened", kind: "offline" });
    home.lock.lockByHand();
    await home.lock.goOnline();
    await until(async () => (await codeRow(issued.body.id)).status === "used", 15_000, "offline use reconciled");
    const row = await codeRow(issued.body.id);
    const visit = await server.ctx.db
      .selectFrom("visits")
      .selectAll()
      .where("id", "=", row.visit_id as string)
      .executeTakeFirstOrThrow();
    expect(visit.status).toBe("incident");
    const incident = await server.ctx.db
      .selectFrom("incidents")
      .selectAll()
      .where("visit_id", "=", visit.id)
      .executeTakeFirstOrThrow();
    expect(incident).toMatchObject({ kind: "offline_code_used_while_blocked", status: "open" });
    const shipment = await server.ctx.db
      .selectFrom("shipments")
      .select("status")
      .where("id", "=", shipmentId)
      .executeTakeFirstOrThrow();
    expect(shipment.status).toBe("assigned");
    await lockReportsLocked();
  });
});

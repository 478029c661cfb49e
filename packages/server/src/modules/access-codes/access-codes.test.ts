import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../../test/databases.js";
import { signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { AT_THE_DOOR, createHome, type TestHome } from "../../test/home.js";
import { until } from "../../test/wait.js";
import { createApiKey } from "../shipments/test-support/index.js";
import { VisitService } from "../visits/service.js";
import { WEBHOOK_EVENT_TYPES } from "../webhooks/event-types.js";

describe.each(TEST_DATABASES)("retailer one-time codes on %s", (database) => {
  let server: TestServer;
  let home: TestHome;
  /** The home's carrier: an API key with both shipment scopes, and one that may only read. */
  let key: string;
  let readKey: string;
  let otherCarrierKey: string;

  beforeAll(async () => {
    // Commands live 2 s here, so a lock that never answers fails a code quickly.
    server = await startTestServer({ database, env: { COMMAND_TTL_S: "2" } });
    home = await createHome(server);
    const admin = await signInAs(server, "carrier_admin", { carrierId: home.carrierId });
    key = await createApiKey(home.request, admin, ["shipments:read", "shipments:write"]);
    readKey = await createApiKey(home.request, admin, ["shipments:read"]);
    const otherAdmin = await signInAs(server, "carrier_admin");
    otherCarrierKey = await createApiKey(home.request, otherAdmin, ["shipments:read", "shipments:write"]);
  });
  afterAll(async () => {
    await home?.stop();
    await server?.destroy();
  });

  const ask = (shipmentId: string, body: Record<string, unknown> = {}, bearer = key, headers = {}) =>
    home.request("POST", `/v1/shipments/${shipmentId}/access-codes`, { bearer, body, headers });
  const list = (shipmentId: string, auth: { bearer?: string; cookie?: string }) =>
    home.request("GET", `/v1/shipments/${shipmentId}/access-codes`, auth);
  const checkIn = (trackingNumber: string, accessCodeId: string, cookie = home.courier.cookie) =>
    home.request("POST", "/v1/visits", { cookie, body: { trackingNumber, location: AT_THE_DOOR, accessCodeId } });
  const auditOf = async (subjectId: string) =>
    (
      await server.ctx.db
        .selectFrom("audit_events")
        .select(["type", "data"])
        .where("subject_id", "=", subjectId)
        .orderBy("seq")
        .execute()
    ).map((e) => e.type);
  const codeRow = (id: string) =>
    server.ctx.db.selectFrom("access_codes").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  /** The server's own code worker (any process may run it) expires codes and removes them from the lock. */
  const untilRemoved = (codeId: string) =>
    until(async () => (await codeRow(codeId)).removed_from_lock_at !== null, 15_000, "code removed from the lock");
  const courierDigits = async (shipmentId: string): Promise<string | undefined> =>
    (await list(shipmentId, { cookie: home.courier.cookie })).body.accessCodes[0]?.code;

  it("is set on the lock disabled, shown to the courier alone, opens only after check-in, once, and is removed after use", async () => {
    const { id: shipmentId, trackingNumber } = await home.shipment();
    const asked = await ask(shipmentId);
    expect(asked.status).toBe(201);
    expect(asked.body).toMatchObject({ kind: "online", status: "set", revocable: true, notice: null, shipmentId });
    expect(asked.body.code).toBeUndefined();
    const codeId: string = asked.body.id;

    // The carrier sees the state, never the digits; the assigned courier sees them.
    const byCarrier = await list(shipmentId, { bearer: readKey });
    expect(byCarrier.status).toBe(200);
    expect(byCarrier.body.accessCodes[0]).toMatchObject({ id: codeId, status: "set" });
    expect(byCarrier.body.accessCodes[0].code).toBeUndefined();
    const pin = await courierDigits(shipmentId);
    expect(pin).toMatch(/^[1-9]{8}$/);
    if (!pin) return;
    // The PIN is nowhere in the audit log or in the stored commands.
    const audit = await server.ctx.db.selectFrom("audit_events").select("data").execute();
    expect(audit.some((row) => row.data.includes(pin))).toBe(false);
    const commands = await server.ctx.db.selectFrom("commands").select("params").execute();
    expect(commands.some((row) => row.params.includes(pin))).toBe(false);

    // Programmed disabled: typing it before check-in does nothing.
    expect(await home.lock.enterCode(pin)).toMatchObject({ result: "refused" });
    expect(home.lock.state.lock).toBe("locked");

    const visit = await checkIn(trackingNumber, codeId);
    expect(visit.status).toBe(201);
    expect(visit.body).toMatchObject({ status: "opening", accessCodeId: codeId });
    expect(home.camera.state).toMatchObject({ recording: true, visitId: visit.body.id });
    expect(home.lock.state.lock).toBe("locked");

    expect(await home.lock.enterCode(pin)).toMatchObject({ result: "opened", kind: "online", codeId });
    await until(async () => (await codeRow(codeId)).status === "used", 15_000, "code used");
    await until(
      async () =>
        (await home.request("GET", `/v1/visits/${visit.body.id}`, { cookie: home.courier.cookie })).body.status ===
        "open",
      5_000,
      "visit open",
    );
    expect(await codeRow(codeId)).toMatchObject({ status: "used", visit_id: visit.body.id });
    // (The worker may already have taken the used code off the lock: that event may follow.)
    expect((await auditOf(codeId)).slice(0, 3)).toEqual(["access_code.setting", "access_code.set", "access_code.used"]);
    expect(await auditOf(visit.body.id)).toEqual(["visit.authorized", "visit.opening", "visit.opened"]);

    // Securing is as for a scan.
    home.lock.openDoor();
    home.lock.closeDoor();
    const secured = await home.request("POST", `/v1/visits/${visit.body.id}/secure`, { cookie: home.courier.cookie });
    expect(secured.body).toMatchObject({ status: "secured" });

    // A second use is refused, and the worker takes the code off the lock.
    expect(await home.lock.enterCode(pin)).toMatchObject({ result: "refused" });
    await untilRemoved(codeId);
    expect(await auditOf(codeId)).toContain("access_code.removed_from_lock");
    expect(await courierDigits(shipmentId)).toBeUndefined();
  });

  it("is refused at check-in outside the window, and its digits are not shown before it", async () => {
    const now = server.ctx.clock.now();
    const { id: shipmentId, trackingNumber } = await home.shipment({
      windowStart: now + 3_600_000,
      windowEnd: now + 7_200_000,
    });
    const asked = await ask(shipmentId);
    expect(asked.body).toMatchObject({ status: "set" });
    expect(await courierDigits(shipmentId)).toBeUndefined();
    const visit = await checkIn(trackingNumber, asked.body.id);
    expect(visit.body.status).toBe("refused");
    expect(visit.body.refusals.map((r: { code: string }) => r.code)).toContain("outside_window");
    expect(
      await server.ctx.db
        .selectFrom("commands")
        .select("id")
        .where("action", "=", "pin_enable")
        .where("params", "like", `%${asked.body.id}%`)
        .execute(),
    ).toEqual([]);
  });

  it("expires at the end of the window and is then removed from the lock", async () => {
    const now = server.ctx.clock.now();
    const { id: shipmentId } = await home.shipment({ windowStart: now - 60_000, windowEnd: now + 1_500 });
    const asked = await ask(shipmentId);
    expect(asked.body).toMatchObject({ status: "set" });
    await until(() => server.ctx.clock.now() > now + 1_600, 15_000, "window over");
    await untilRemoved(asked.body.id);
    const row = await codeRow(asked.body.id);
    expect(row.status).toBe("expired");
    expect(row.removed_from_lock_at).not.toBeNull();
    expect(await auditOf(asked.body.id)).toEqual(
      expect.arrayContaining(["access_code.expired", "access_code.removed_from_lock"]),
    );
  });

  it("can be withdrawn by its carrier before use: removed at once, taken off the lock, no longer enabled by a check-in", async () => {
    const { id: shipmentId, trackingNumber } = await home.shipment();
    const asked = await ask(shipmentId);
    const codeId: string = asked.body.id;
    const pin = await courierDigits(shipmentId);
    const remove = (bearer?: string, cookie?: string) =>
      home.request("DELETE", `/v1/shipments/${shipmentId}/access-codes/${codeId}`, { bearer, cookie });
    expect((await remove(otherCarrierKey)).status).toBe(404);
    expect((await remove(readKey)).status).toBe(403);
    expect((await remove(undefined, home.courier.cookie)).status).toBe(403);
    expect((await codeRow(codeId)).status).toBe("set");

    const removed = await remove(key);
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ id: codeId, status: "removed" });
    expect((await remove(key)).body).toMatchObject({ status: "removed" });
    expect(await courierDigits(shipmentId)).toBeUndefined();
    const visit = await checkIn(trackingNumber, codeId);
    expect(visit.status).toBe(409);
    expect(visit.body.error.code).toBe("access_code_unusable");
    await untilRemoved(codeId);
    expect(await auditOf(codeId)).toEqual([
      "access_code.setting",
      "access_code.set",
      "access_code.removed",
      "access_code.removed_from_lock",
    ]);
    // Gone from the lock: an enable names a code it does not hold.
    if (pin) expect(await home.lock.enterCode(pin)).toMatchObject({ result: "refused" });
  });

  it("tells the courier a code not typed in time is still set, and a second check-in enables it again", async () => {
    const { id: shipmentId, trackingNumber } = await home.shipment();
    const asked = await ask(shipmentId);
    const codeId: string = asked.body.id;
    const first = await checkIn(trackingNumber, codeId);
    expect(first.body).toMatchObject({ status: "opening" });
    // The watchdog's call once the code's enable period is over (tests do not wait two minutes).
    await new VisitService(server.ctx).abortStale(first.body.id);
    const ended = await home.request("GET", `/v1/visits/${first.body.id}`, { cookie: home.courier.cookie });
    expect(ended.body).toMatchObject({ status: "aborted", reason: "code_not_used" });
    expect(ended.body.message).not.toContain("Leave the package");
    expect(ended.body.message).toContain("still set on the lock");
    expect(ended.body.message).toContain("check in again");
    expect((await codeRow(codeId)).status).toBe("set");
    const again = await checkIn(trackingNumber, codeId);
    expect(again.body).toMatchObject({ status: "opening", accessCodeId: codeId });
    await new VisitService(server.ctx).abortStale(again.body.id);
  });

  it("keeps one live code per shipment, and Idempotency-Key retries get the first answer", async () => {
    const { id: shipmentId } = await home.shipment();
    const headers = { "idempotency-key": `code-${shipmentId}` };
    const first = await ask(shipmentId, {}, key, headers);
    const retry = await ask(shipmentId, {}, key, headers);
    expect(retry.body).toEqual(first.body);
    const again = await ask(shipmentId);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("conflict");
    const rows = await server.ctx.db
      .selectFrom("access_codes")
      .select("id")
      .where("shipment_id", "=", shipmentId)
      .execute();
    expect(rows).toHaveLength(1);
  });

  it("authorizes every call: signed out, wrong role, another carrier, another courier", async () => {
    const { id: shipmentId } = await home.shipment();
    const recipient = home.recipient.cookie;
    expect((await home.request("POST", `/v1/shipments/${shipmentId}/access-codes`, { body: {} })).status).toBe(401);
    expect((await home.request("GET", `/v1/shipments/${shipmentId}/access-codes`)).status).toBe(401);
    const byRecipient = await home.request("POST", `/v1/shipments/${shipmentId}/access-codes`, {
      cookie: recipient,
      body: {},
    });
    expect(byRecipient.status).toBe(403);
    const byCourier = await home.request("POST", `/v1/shipments/${shipmentId}/access-codes`, {
      cookie: home.courier.cookie,
      body: {},
    });
    expect(byCourier.status).toBe(403);
    expect((await ask(shipmentId, {}, readKey)).status).toBe(403);
    const foreign = await ask(shipmentId, {}, otherCarrierKey);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe("not_found");

    const made = await ask(shipmentId);
    expect(made.status).toBe(201);
    expect((await list(shipmentId, { cookie: recipient })).status).toBe(403);
    expect((await list(shipmentId, { bearer: otherCarrierKey })).status).toBe(404);
    const otherCourier = await signInAs(server, "courier", { carrierId: home.carrierId });
    expect((await list(shipmentId, { cookie: otherCourier.cookie })).status).toBe(404);
    const single = (auth: { bearer?: string; cookie?: string }) =>
      home.request("GET", `/v1/shipments/${shipmentId}/access-codes/${made.body.id}`, auth);
    expect((await single({ cookie: otherCourier.cookie })).status).toBe(404);
    expect((await single({})).status).toBe(401);
    expect((await single({ cookie: recipient })).status).toBe(403);
    expect((await single({ bearer: otherCarrierKey })).status).toBe(404);
    expect((await single({ bearer: readKey })).body).toMatchObject({ id: made.body.id, status: "set" });
    expect((await single({ cookie: home.courier.cookie })).body.code).toMatch(/^[1-9]{8}$/);
    // A code of this shipment under another shipment's path is not found.
    const { id: otherShipment } = await home.shipment();
    const misplaced = await home.request("GET", `/v1/shipments/${otherShipment}/access-codes/${made.body.id}`, {
      bearer: key,
    });
    expect(misplaced.status).toBe(404);
    // Another courier cannot check in with it either.
    const { trackingNumber } = await home.shipment();
    const stolen = await checkIn(trackingNumber, made.body.id, otherCourier.cookie);
    expect(stolen.body).toMatchObject({ id: null, status: "refused" });
  });

  it("answers bad input with a stable code and changes nothing", async () => {
    const { id: shipmentId, trackingNumber } = await home.shipment();
    const count = async () => (await server.ctx.db.selectFrom("access_codes").select("id").execute()).length;
    const before = await count();
    const commandsBefore = (await server.ctx.db.selectFrom("commands").select("id").execute()).length;
    for (const body of [{ kind: "sometimes" }, { kind: 1 }, { at: "tomorrow", kind: "offline" }, { extra: true }]) {
      const res = await ask(shipmentId, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
    const malformed = await home.request("POST", `/v1/shipments/${shipmentId}/access-codes`, {
      bearer: key,
      rawBody: "{not json",
    });
    expect(malformed.status).toBe(400);
    expect((await home.request("POST", "/v1/shipments/shp_x/access-codes", { bearer: key, body: {} })).status).toBe(
      400,
    );
    const unknown = await ask("shp_01m88ywxag7sg0apycryq44vn5");
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("not_found");
    const unknownCode = await checkIn(trackingNumber, "acc_01m88ywxag7sg0apycryq44vn5");
    expect(unknownCode.status).toBe(409);
    expect(unknownCode.body.error.code).toBe("access_code_unusable");
    expect(
      (await home.request("GET", `/v1/shipments/${shipmentId}/access-codes/acc_nope`, { bearer: key })).status,
    ).toBe(400);
    expect(await count()).toBe(before);
    expect((await server.ctx.db.selectFrom("commands").select("id").execute()).length).toBe(commandsBefore);
    expect(
      await server.ctx.db.selectFrom("visits").select("id").where("shipment_id", "=", shipmentId).execute(),
    ).toEqual([]);
  });

  it("reports a code the lock could not take as failed, before the courier comes", async () => {
    const { id: shipmentId } = await home.shipment();
    await home.lock.goOffline();
    try {
      const asked = await ask(shipmentId);
      expect(asked.status).toBe(201);
      expect(asked.body).toMatchObject({ status: "failed", failureReason: "timed_out:no_ack" });
      expect(await auditOf(asked.body.id)).toEqual(["access_code.setting", "access_code.failed"]);
      expect(WEBHOOK_EVENT_TYPES).toContain("access_code.failed");
      const event = await server.ctx.db
        .selectFrom("audit_events")
        .selectAll()
        .where("subject_id", "=", asked.body.id)
        .where("type", "=", "access_code.failed")
        .executeTakeFirstOrThrow();
      // Routable to the carrier's webhooks, the recipient's stream (site) and the courier's.
      expect(JSON.parse(event.data)).toMatchObject({
        carrierId: home.carrierId,
        courierId: home.courier.id,
        shipmentId,
      });
      expect(event.site_id).toBe(home.siteId);
    } finally {
      await home.lock.goOnline();
    }
  });
});

import { type EventType, ManualClock, newId } from "@threshold/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AuditLog, SYSTEM_ACTOR } from "../../audit/audit-log.js";
import { openStorage } from "../../db/database.js";
import { TEST_DATABASES } from "../../test/databases.js";
import { signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { type ApiRequest, apiClient } from "../../test/http.js";
import { MAX_ATTEMPTS, RETRY_DELAYS_MS, WebhookDeliveryWorker } from "../../workers/webhooks/delivery-worker.js";
import { FAN_OUT_CURSOR, WebhookFanOut } from "../../workers/webhooks/fan-out.js";
import { MAX_RESPONSE_BYTES } from "../../workers/webhooks/send.js";
import { type Receiver, startReceiver, verifyStandardWebhook, waitFor } from "./test-support.js";

/**
 * The send timeout is real time (a real HTTP exchange with a receiver in this process): 10 s, so a
 * receiver that answers at once is never cut short on a loaded machine (1 s was, under load).
 */
const SEND_TIMEOUT_S = 10;
const ENV = { WEBHOOK_ALLOW_HTTP_LOOPBACK: "true", WEBHOOK_POLL_MS: "20", WEBHOOK_TIMEOUT_S: String(SEND_TIMEOUT_S) };

describe.each(TEST_DATABASES)("webhook delivery on %s", (database) => {
  const clock = new ManualClock();
  let server: TestServer;
  let request: ApiRequest;
  const receivers: Receiver[] = [];
  beforeAll(async () => {
    server = await startTestServer({ database, clock, env: ENV });
    request = apiClient(server.url);
  });
  afterEach(async () => {
    for (const receiver of receivers.splice(0)) await receiver.close();
  });
  afterAll(() => server.destroy());

  const receiver = async () => {
    const started = await startReceiver();
    receivers.push(started);
    return started;
  };

  /**
   * A carrier with an endpoint at a fresh receiver, and an API key with webhooks:manage (which,
   * unlike a session, outlives the days these tests move the clock through).
   */
  const carrierWithEndpoint = async (eventTypes?: string[]) => {
    const user = await signInAs(server, "carrier_admin");
    const { key } = (
      await request("POST", "/v1/api-keys", {
        cookie: user.cookie,
        body: { name: "webhooks", scopes: ["webhooks:manage"] },
      })
    ).body;
    const admin = { carrierId: user.carrierId as string, key: key as string };
    const hooks = await receiver();
    const res = await request("POST", "/v1/webhooks/endpoints", {
      bearer: admin.key,
      body: { url: hooks.url, ...(eventTypes ? { eventTypes } : {}) },
    });
    expect(res.status).toBe(201);
    return { admin, hooks, endpointId: res.body.endpoint.id as string, secret: res.body.secret as string };
  };
  type Carrier = Awaited<ReturnType<typeof carrierWithEndpoint>>["admin"];

  /** What the shipments and visits modules append: a fact naming the carrier in its data. */
  const recordEvent = async (
    carrierId: string | null,
    type: EventType = "shipment.delivered",
    subjectType = "shipment",
  ) => {
    const [event] = await server.ctx.audit.record({
      type,
      subjectType,
      subjectId: newId(subjectType === "visit" ? "visit" : "shipment"),
      siteId: newId("site"),
      actor: SYSTEM_ACTOR,
      data: { carrierId, trackingNumber: `TRK${Math.floor(Math.random() * 1e9)}` },
    });
    if (!event) throw new Error("nothing recorded");
    return event;
  };

  const deliveries = async (admin: Carrier, endpointId: string) => {
    const res = await request("GET", `/v1/webhooks/endpoints/${endpointId}/deliveries`, { bearer: admin.key });
    expect(res.status).toBe(200);
    return res.body.deliveries as {
      id: string;
      status: string;
      attemptCount: number;
      nextAttemptAt: string | null;
      lastError: string | null;
      auditEventId: string;
      payload: Record<string, unknown>;
      attempts: { attempt: number; statusCode: number | null; error: string | null }[];
    }[];
  };

  /** Waits until the endpoint's only delivery has had `count` attempts. */
  const attempted = (admin: Carrier, endpointId: string, count: number) =>
    waitFor(
      async () => {
        const [delivery] = await deliveries(admin, endpointId);
        return delivery && delivery.attemptCount === count && delivery.attempts.length === count ? delivery : null;
      },
      `attempt ${count}`,
      (SEND_TIMEOUT_S + 10) * 1000,
    );

  it("delivers the carrier's event once, signed per Standard Webhooks; other carriers and types get nothing", async () => {
    const a = await carrierWithEndpoint();
    const onlyIncidents = await carrierWithEndpoint(["visit.incident"]);
    const b = await carrierWithEndpoint();
    const carrierId = a.admin.carrierId;
    // The same carrier's second endpoint, subscribed to one type only.
    const aIncidents = await request("POST", "/v1/webhooks/endpoints", {
      bearer: a.admin.key,
      body: { url: onlyIncidents.hooks.url, eventTypes: ["visit.incident"] },
    });

    const event = await recordEvent(carrierId);
    await recordEvent(carrierId, "consent.updated"); // not a webhook event type
    const received = await waitFor(() => a.hooks.received[0], "the webhook");
    await server.webhooks.drained();
    expect(a.hooks.received).toHaveLength(1);
    expect(b.hooks.received).toHaveLength(0);
    expect(onlyIncidents.hooks.received).toHaveLength(0);

    expect(received.headers["content-type"]).toBe("application/json");
    const id = received.headers["webhook-id"];
    expect(id).toMatch(/^msg_[0-9a-z]{26}$/);
    expect(received.headers["webhook-timestamp"]).toBe(String(clock.now() / 1000));
    expect(received.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(verifyStandardWebhook(a.secret, received.headers, received.body, clock.now())).toEqual({ ok: true, id });
    // Anyone else's secret, a changed body or a replay later than 5 minutes fails the receiver's check.
    expect(verifyStandardWebhook(b.secret, received.headers, received.body, clock.now()).ok).toBe(false);
    expect(
      verifyStandardWebhook(a.secret, received.headers, received.body.replace("}", ',"x":1}'), clock.now()).ok,
    ).toBe(false);
    expect(verifyStandardWebhook(a.secret, received.headers, received.body, clock.now() + 301_000).ok).toBe(false);

    expect(JSON.parse(received.body)).toEqual({
      type: "shipment.delivered",
      timestamp: new Date(event.at).toISOString(),
      data: {
        carrierId,
        trackingNumber: event.data.trackingNumber,
        shipmentId: event.subjectId,
        auditSeq: event.seq,
        auditEventId: event.id,
      },
    });

    const [delivery, ...others] = await waitFor(async () => {
      const list = await deliveries(a.admin, a.endpointId);
      return list[0]?.status === "succeeded" ? list : null;
    }, "the delivery log");
    expect(others).toEqual([]);
    expect(delivery).toMatchObject({
      id,
      status: "succeeded",
      attemptCount: 1,
      nextAttemptAt: null,
      auditEventId: event.id,
      payload: JSON.parse(received.body),
      attempts: [{ attempt: 1, statusCode: 200, error: null }],
    });

    // The incident-only endpoint gets an incident.
    await recordEvent(carrierId, "visit.incident", "visit");
    const incident = await waitFor(() => onlyIncidents.hooks.received[0], "the incident webhook");
    expect(JSON.parse(incident.body).type).toBe("visit.incident");
    expect(JSON.parse(incident.body).data.visitId).toMatch(/^vis_/);
    expect(aIncidents.status).toBe(201);
    await server.webhooks.drained();
    expect(onlyIncidents.hooks.received).toHaveLength(1);
    expect(a.hooks.received).toHaveLength(2);
    expect(b.hooks.received).toHaveLength(0);
  });

  it("finds the carrier from the shipment when the event's data does not name it", async () => {
    const a = await carrierWithEndpoint();
    const recipient = await signInAs(server, "recipient");
    const siteId = newId("site");
    const shipmentId = newId("shipment");
    const now = clock.now();
    await server.ctx.db
      .insertInto("sites")
      .values({
        id: siteId,
        owner_id: recipient.id,
        name: "Home",
        address_line1: "1 Main St",
        address_line2: null,
        city: "Springfield",
        postal_code: "12345",
        country: "US",
        lat: 0,
        lng: 0,
        geofence_radius_m: 100,
        created_at: now,
        access_blocked_at: null,
      })
      .execute();
    await server.ctx.db
      .insertInto("shipments")
      .values({
        id: shipmentId,
        tracking_number: `TRK${now}`,
        carrier_id: a.admin.carrierId as string,
        recipient_id: recipient.id,
        site_id: siteId,
        method: "in_home",
        window_start: now,
        window_end: now + 3_600_000,
        length_cm: null,
        width_cm: null,
        height_cm: null,
        weight_g: null,
        perishable: 0,
        signature_required: 0,
        value_cents: null,
        status: "created",
        courier_id: null,
        delivered_at: null,
        delivered_visit_id: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await server.ctx.audit.record({
      type: "shipment.created",
      subjectType: "shipment",
      subjectId: shipmentId,
      siteId,
      actor: SYSTEM_ACTOR,
      data: {},
    });
    const received = await waitFor(() => a.hooks.received[0], "the webhook");
    expect(JSON.parse(received.body)).toMatchObject({ type: "shipment.created", data: { shipmentId } });
  });

  it("a receiver failing 3 times (500, timeout, 404) then succeeding gets the event once per id", {
    timeout: 60_000,
  }, async () => {
    const a = await carrierWithEndpoint();
    const answers = [500, "hang", 404, 200] as const;
    a.hooks.behave((n) => answers[n] ?? 200);
    await recordEvent(a.admin.carrierId);

    let delivery = await attempted(a.admin, a.endpointId, 1);
    expect(delivery).toMatchObject({ status: "pending", lastError: "HTTP 500" });
    expect(delivery.nextAttemptAt).toBe(new Date(clock.now() + 5_000).toISOString());
    // Not before it is due.
    await server.webhooks.drained();
    expect(a.hooks.received).toHaveLength(1);

    clock.advance(5_000);
    delivery = await attempted(a.admin, a.endpointId, 2);
    expect(delivery.attempts[1]).toMatchObject({ statusCode: null, error: `timed out after ${SEND_TIMEOUT_S} s` });
    expect(delivery.nextAttemptAt).toBe(new Date(clock.now() + 5 * 60_000).toISOString());

    clock.advance(5 * 60_000);
    delivery = await attempted(a.admin, a.endpointId, 3);
    expect(delivery.attempts[2]).toMatchObject({ statusCode: 404, error: "HTTP 404" });

    clock.advance(29 * 60_000);
    await server.webhooks.drained();
    expect(a.hooks.received).toHaveLength(3);
    clock.advance(60_000);
    delivery = await attempted(a.admin, a.endpointId, 4);
    expect(delivery).toMatchObject({ status: "succeeded", nextAttemptAt: null, lastError: null });
    expect(delivery.attempts.map((t) => t.statusCode)).toEqual([500, null, 404, 200]);

    // Every attempt: the same id and body, freshly signed; a de-duplicating receiver acts once.
    expect(a.hooks.received).toHaveLength(4);
    const ids = new Set<string>();
    for (const r of a.hooks.received) {
      expect(r.headers["webhook-id"]).toBe(delivery.id);
      expect(r.body).toBe(a.hooks.received[0]?.body);
      const verified = verifyStandardWebhook(
        a.secret,
        r.headers,
        r.body,
        Number(r.headers["webhook-timestamp"]) * 1000,
      );
      expect(verified.ok).toBe(true);
      if (verified.ok) ids.add(verified.id);
    }
    expect([...ids]).toEqual([delivery.id]);
    clock.advance(24 * 3_600_000);
    await server.webhooks.drained();
    expect(a.hooks.received).toHaveLength(4);
  });

  it("retries for more than a day, then marks the delivery failed", async () => {
    expect(RETRY_DELAYS_MS.reduce((sum, ms) => sum + ms, 0)).toBeGreaterThanOrEqual(24 * 3_600_000);
    const a = await carrierWithEndpoint();
    a.hooks.behave(() => 503);
    await recordEvent(a.admin.carrierId);
    await attempted(a.admin, a.endpointId, 1);
    for (const [i, delay] of RETRY_DELAYS_MS.entries()) {
      clock.advance(delay);
      await attempted(a.admin, a.endpointId, i + 2);
    }
    const [delivery] = await deliveries(a.admin, a.endpointId);
    expect(delivery).toMatchObject({ status: "failed", attemptCount: MAX_ATTEMPTS, nextAttemptAt: null });
    expect(delivery?.attempts.map((t) => t.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    clock.advance(48 * 3_600_000);
    await server.webhooks.drained();
    expect(a.hooks.received).toHaveLength(MAX_ATTEMPTS);

    // A retry by hand sends it once more, now, with the same id.
    a.hooks.behave(() => 204);
    const retried = await request("POST", `/v1/webhooks/deliveries/${delivery?.id}/retry`, { bearer: a.admin.key });
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ id: delivery?.id, status: "pending" });
    const done = await attempted(a.admin, a.endpointId, MAX_ATTEMPTS + 1);
    expect(done.status).toBe("succeeded");
    expect(a.hooks.received.at(-1)?.headers["webhook-id"]).toBe(delivery?.id);

    // Another carrier cannot see or retry it.
    const other = await signInAs(server, "carrier_admin");
    const foreign = await request("POST", `/v1/webhooks/deliveries/${delivery?.id}/retry`, { cookie: other.cookie });
    expect(foreign.status).toBe(404);
  });

  it("counts a dropped connection and a redirect as failures, never follows the redirect, reads at most 64 KiB", async () => {
    const a = await carrierWithEndpoint();
    const elsewhere = await receiver();
    const huge = Buffer.alloc(4 * MAX_RESPONSE_BYTES, "x");
    const answers = [
      "close",
      { status: 307, headers: { location: elsewhere.url } },
      { status: 200, headers: { "content-type": "text/plain" }, body: huge },
    ] as const;
    a.hooks.behave((n) => answers[n] ?? 200);
    await recordEvent(a.admin.carrierId);
    await attempted(a.admin, a.endpointId, 1);
    clock.advance(5_000);
    await attempted(a.admin, a.endpointId, 2);
    clock.advance(5 * 60_000);
    const delivery = await attempted(a.admin, a.endpointId, 3);
    expect(delivery.status).toBe("succeeded");
    expect(delivery.attempts[0]).toMatchObject({
      statusCode: null,
      error: expect.stringMatching(/socket hang up|ECONNRESET/),
    });
    expect(delivery.attempts[1]).toMatchObject({ statusCode: 307, error: "HTTP 307" });
    expect(elsewhere.received).toHaveLength(0);
  });

  it("sends nothing more to a disabled endpoint", async () => {
    const a = await carrierWithEndpoint();
    a.hooks.behave(() => 500);
    await recordEvent(a.admin.carrierId);
    await attempted(a.admin, a.endpointId, 1);
    const disabled = await request("DELETE", `/v1/webhooks/endpoints/${a.endpointId}`, { bearer: a.admin.key });
    expect(disabled.status).toBe(200);
    await recordEvent(a.admin.carrierId);
    clock.advance(5_000);
    await server.webhooks.drained();
    expect(a.hooks.received).toHaveLength(1);
    const list = await deliveries(a.admin, a.endpointId);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ status: "failed", lastError: "endpoint disabled" });
    const retry = await request("POST", `/v1/webhooks/deliveries/${list[0]?.id}/retry`, { bearer: a.admin.key });
    expect(retry.status).toBe(409);
  });

  it("resumes fan-out from its cursor after a restart, without losing or repeating an event", async () => {
    const first = await startTestServer({ database, clock, env: ENV });
    const api = apiClient(first.url);
    const admin = await signInAs(first, "carrier_admin");
    const hooks = await receiver();
    const created = await api("POST", "/v1/webhooks/endpoints", { cookie: admin.cookie, body: { url: hooks.url } });
    const endpointId = created.body.endpoint.id as string;
    const record = (audit: AuditLog, n: number) =>
      audit.record({
        type: "visit.refused",
        subjectType: "visit",
        subjectId: newId("visit"),
        actor: SYSTEM_ACTOR,
        data: { carrierId: admin.carrierId, n },
      });
    await record(first.ctx.audit, 1);
    await waitFor(
      async () =>
        (
          await first.ctx.db
            .selectFrom("webhook_deliveries")
            .select("status")
            .where("endpoint_id", "=", endpointId)
            .execute()
        )
          .map((d) => d.status)
          .join() === "succeeded",
      "the first webhook",
    );
    await first.stop();

    // Events appended while no server runs (by another process, say) wait in the log.
    const storage = openStorage(
      first.config.databaseUrl ? { databaseUrl: first.config.databaseUrl } : { sqlitePath: first.config.sqlitePath },
    );
    const offline = new AuditLog(storage.db, storage.dialect, clock);
    await record(offline, 2);
    await record(offline, 3);
    await storage.close();

    const second = await startTestServer({ database, clock, env: ENV, reuse: first });
    try {
      await waitFor(() => hooks.received.length === 3, "the webhooks appended while stopped");
      // Rewinding the cursor (as a crash between insert and advance would, were they not one
      // transaction) enqueues nothing twice.
      await second.ctx.db
        .updateTable("worker_cursors")
        .set({ position: 0 })
        .where("name", "=", FAN_OUT_CURSOR)
        .execute();
      const fanOut = new WebhookFanOut({ ...second.ctx, dialect: second.ctx.storage.dialect, pollMs: 1000 });
      while ((await fanOut.runOnce()) > 0) {}
      await second.webhooks.drained();
      // Sent side by side, so not necessarily in order (receivers order by the payload's auditSeq).
      const ns = hooks.received.map((r) => JSON.parse(r.body).data.n);
      expect(ns.sort()).toEqual([1, 2, 3]);
      expect(new Set(hooks.received.map((r) => r.headers["webhook-id"])).size).toBe(3);
      const rows = await second.ctx.db
        .selectFrom("webhook_deliveries")
        .select("audit_seq")
        .where("endpoint_id", "=", endpointId)
        .execute();
      expect(rows).toHaveLength(3);
    } finally {
      await second.destroy();
    }
  });

  it("never sends the same attempt twice when several workers share the database", async () => {
    const a = await carrierWithEndpoint();
    // Slow answers, and one failure each, keep claims and retries overlapping.
    const seen = new Map<string, number>();
    a.hooks.behave((_n, r) => {
      const id = String(r.headers["webhook-id"]);
      seen.set(id, (seen.get(id) ?? 0) + 1);
      return seen.get(id) === 1 ? { status: 500, delayMs: 5 } : { status: 200, delayMs: 5 };
    });
    const extra: { stop(): Promise<void>; drained(): Promise<void> }[] = [];
    if (database === "postgres") {
      // A second server on the same database, with its own fan-out and delivery workers and pool.
      const second = await startTestServer({ database, clock, env: ENV, reuse: server });
      extra.push({ stop: () => second.stop(), drained: () => second.webhooks.drained() });
    }
    // Two more workers of each kind beside the server's own.
    const deps = { ...server.ctx, dialect: server.ctx.storage.dialect, pollMs: 5 };
    for (let i = 0; i < 2; i++) {
      const fanOut = new WebhookFanOut(deps);
      const worker = new WebhookDeliveryWorker({
        ...deps,
        timeoutMs: SEND_TIMEOUT_S * 1000,
        policy: { allowHttpLoopback: true },
      });
      fanOut.start();
      worker.start();
      extra.push(fanOut, worker);
    }
    try {
      const count = 40;
      const attemptsLogged = async () =>
        (
          await server.ctx.db
            .selectFrom("webhook_attempts")
            .innerJoin("webhook_deliveries", "webhook_deliveries.id", "webhook_attempts.delivery_id")
            .select("webhook_attempts.attempt")
            .where("webhook_deliveries.endpoint_id", "=", a.endpointId)
            .execute()
        ).length;
      await Promise.all(Array.from({ length: count }, () => recordEvent(a.admin.carrierId)));
      await waitFor(async () => (await attemptsLogged()) === count, "first attempts", 15_000);
      clock.advance(5_000);
      await waitFor(async () => (await attemptsLogged()) === 2 * count, "second attempts", 15_000);
      // Every worker has had its chance to send something a third time.
      await server.webhooks.drained();
      for (const worker of extra) await worker.drained();
      expect(a.hooks.received).toHaveLength(2 * count);
      expect(seen.size).toBe(count);
      expect([...seen.values()].every((n) => n === 2)).toBe(true);
      expect(await attemptsLogged()).toBe(2 * count);
      const list = await deliveries(a.admin, a.endpointId);
      expect(list).toHaveLength(count);
      expect(list.every((d) => d.status === "succeeded" && d.attemptCount === 2)).toBe(true);
    } finally {
      for (const worker of extra) await worker.stop();
    }
  });
});

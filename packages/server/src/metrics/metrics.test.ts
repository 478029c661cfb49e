import { newId } from "@threshold/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../test/databases.js";
import { startTestServer, type TestServer } from "../test/harness.js";
import { AT_THE_DOOR, createHome, type TestHome } from "../test/home.js";
import { type Exposition, parseExposition } from "../test/prometheus.js";

const TOKEN = "metrics-token-for-tests-0123456789";

describe.each(TEST_DATABASES)("GET /metrics on %s", (database) => {
  let server: TestServer;
  let home: TestHome;

  beforeAll(async () => {
    server = await startTestServer({ database, env: { METRICS_PORT: "0", METRICS_TOKEN: TOKEN } });
    home = await createHome(server);
  });
  afterAll(async () => {
    await home?.stop();
    await server?.destroy();
  });

  const metricsUrl = () => server.metricsUrl ?? "(metrics are off)";
  const scrapeText = async () => {
    const res = await fetch(metricsUrl(), { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text();
  };
  const scrape = async (): Promise<Exposition> => parseExposition(await scrapeText());
  /** How much a sample grew between two scrapes; a missing sample counts as 0. */
  const grew = (before: Exposition, after: Exposition, name: string, labels: Record<string, string>) =>
    (after.value(name, labels) ?? 0) - (before.value(name, labels) ?? 0);

  it("counts a visit, its commands' round trips and its requests, with the right labels", async () => {
    const before = await scrape();
    const { trackingNumber } = await home.shipment();
    const opened = await home.request("POST", "/v1/visits", {
      cookie: home.courier.cookie,
      body: { trackingNumber, location: AT_THE_DOOR },
    });
    expect(opened.body.status).toBe("open");
    home.lock.openDoor();
    home.lock.closeDoor();
    const secured = await home.request("POST", `/v1/visits/${opened.body.id}/secure`, { cookie: home.courier.cookie });
    expect(secured.body.status).toBe("secured");
    const far = await home.shipment();
    const refused = await home.request("POST", "/v1/visits", {
      cookie: home.courier.cookie,
      body: { trackingNumber: far.trackingNumber, location: { lat: 52.4, lng: 4.9 } },
    });
    expect(refused.body.status).toBe("refused");

    const after = await scrape();
    for (const outcome of ["authorized", "opened", "secured", "refused"]) {
      expect(grew(before, after, "threshold_visits_total", { outcome }), outcome).toBe(1);
    }
    expect(grew(before, after, "threshold_visits_total", { outcome: "incident" })).toBe(0);
    expect(grew(before, after, "threshold_visit_refusals_total", { code: "outside_geofence" })).toBe(1);

    for (const action of ["record_start", "unlock"]) {
      const labels = { action, outcome: "succeeded" };
      expect(grew(before, after, "threshold_command_round_trip_seconds_count", labels), action).toBe(1);
      expect(grew(before, after, "threshold_command_round_trip_seconds_sum", labels), action).toBeGreaterThan(0);
      // Every command answered in time lands in the last bucket, whatever the machine's speed.
      expect(grew(before, after, "threshold_command_round_trip_seconds_bucket", { ...labels, le: "+Inf" })).toBe(1);
    }

    const scan = { method: "POST", route: "/v1/visits", status_code: "201" };
    expect(grew(before, after, "threshold_http_requests_total", scan)).toBe(2);
    const secure = { method: "POST", route: "/v1/visits/:visitId/secure", status_code: "200" };
    expect(grew(before, after, "threshold_http_requests_total", secure)).toBe(1);
    const latency = { method: "POST", route: "/v1/visits/:visitId/secure" };
    expect(grew(before, after, "threshold_http_request_duration_seconds_count", latency)).toBe(1);
    expect(after.types.get("threshold_http_request_duration_seconds")).toBe("histogram");
  });

  it("never puts an id, a tracking number or a raw path in a label", async () => {
    const { trackingNumber } = await home.shipment();
    const missing = newId("visit");
    expect((await home.request("GET", `/v1/visits/${missing}`, { cookie: home.courier.cookie })).status).toBe(404);
    expect((await home.request("GET", "/v1/no-such-thing/secret-looking-path")).status).toBe(404);
    const text = await scrapeText();
    const exposition = parseExposition(text);
    expect(
      exposition.value("threshold_http_requests_total", {
        method: "GET",
        route: "/v1/visits/:visitId",
        status_code: "404",
      }),
    ).toBe(1);
    expect(
      exposition.value("threshold_http_requests_total", { method: "GET", route: "(unmatched)", status_code: "404" }),
    ).toBeGreaterThanOrEqual(1);
    for (const secret of [
      missing,
      "secret-looking-path",
      trackingNumber,
      home.siteId,
      home.lock.deviceId,
      home.courier.email,
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it("reports device connections and the devices online", async () => {
    const exposition = await scrape();
    // The home's lock and camera, connected to the embedded broker.
    expect(exposition.value("threshold_device_connections")).toBe(2);
    expect(exposition.value("threshold_devices", { kind: "lock" })).toBe(1);
    expect(exposition.value("threshold_devices_online", { kind: "lock" })).toBe(1);
    expect(exposition.value("threshold_devices_online", { kind: "camera" })).toBe(1);
    expect(exposition.value("threshold_devices_online", { kind: "vehicle" })).toBe(0);
  });

  it("reports the webhook backlog: pending, due, and the oldest's age", async () => {
    const now = server.ctx.clock.now();
    await server.ctx.db
      .insertInto("webhook_endpoints")
      .values({
        id: "whe_0000000000metricsmetrics",
        carrier_id: home.carrierId,
        url: "https://receiver.example/hooks",
        secret: "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        event_types: "[]",
        created_at: now,
        disabled_at: null,
        after_seq: Number.MAX_SAFE_INTEGER,
      })
      .execute();
    const delivery = (id: string, createdAt: number, nextAttemptAt: number, status = "pending") => ({
      id,
      endpoint_id: "whe_0000000000metricsmetrics",
      event_type: "visit.secured",
      payload: "{}",
      status,
      attempts: 1,
      next_attempt_at: nextAttemptAt,
      locked_until: null,
      last_status_code: 500,
      last_error: "HTTP 500",
      created_at: createdAt,
      delivered_at: null,
      audit_event_id: null,
      audit_seq: null,
    });
    // Retries far in the future and long ago, so the delivery worker leaves them where they are.
    await server.ctx.db
      .insertInto("webhook_deliveries")
      .values([
        delivery("whd_0000000000metricsaaaaaa", now - 120_000, now + 3_600_000),
        delivery("whd_0000000000metricsbbbbbb", now - 30_000, now + 7_200_000),
        delivery("whd_0000000000metricscccccc", now - 999_000, now, "succeeded"),
      ])
      .execute();
    const exposition = await scrape();
    expect(exposition.value("threshold_webhook_deliveries_pending")).toBe(2);
    expect(exposition.value("threshold_webhook_deliveries_due")).toBe(0);
    expect(exposition.value("threshold_webhook_oldest_pending_age_seconds")).toBeGreaterThanOrEqual(120);
    await server.ctx.db.deleteFrom("webhook_deliveries").execute();
  });

  it("includes the process's default metrics and the event-loop lag", async () => {
    const exposition = await scrape();
    expect(exposition.types.get("process_cpu_seconds_total")).toBe("counter");
    expect(exposition.value("nodejs_eventloop_lag_seconds")).toBeGreaterThanOrEqual(0);
    expect(exposition.value("nodejs_eventloop_lag_p99_seconds")).toBeGreaterThanOrEqual(0);
  });

  it("refuses a scrape without the token, or with a wrong one (401 unauthenticated)", async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: "Bearer not-the-token" },
      { authorization: TOKEN },
    ];
    for (const headers of attempts) {
      const res = await fetch(metricsUrl(), { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      const body = (await res.json()) as { error: { code: string } };
      expect(body.error.code).toBe("unauthenticated");
    }
  });

  it("is not on the public port, and the metrics listener serves nothing else", async () => {
    const publicPort = await fetch(`${server.url}/metrics`);
    expect(publicPort.status).toBe(404);
    expect(((await publicPort.json()) as { error: { code: string } }).error.code).toBe("not_found");

    const elsewhere = await fetch(metricsUrl().replace("/metrics", "/v1/visits"), {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(elsewhere.status).toBe(404);
    expect(((await elsewhere.json()) as { error: { code: string } }).error.code).toBe("not_found");

    const post = await fetch(metricsUrl(), { method: "POST", headers: { authorization: `Bearer ${TOKEN}` } });
    expect(post.status).toBe(405);
    expect(((await post.json()) as { error: { code: string } }).error.code).toBe("method_not_allowed");
  });
});

describe("metrics off", () => {
  it("starts no metrics listener unless METRICS_PORT is set", async () => {
    const server = await startTestServer({ database: "sqlite" });
    try {
      expect(server.metricsUrl).toBeNull();
    } finally {
      await server.destroy();
    }
  });
});

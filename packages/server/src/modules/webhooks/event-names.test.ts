import { EVENT_TYPES, type EventType, isEventType, newId, VISIT_STATUS_EVENTS } from "@threshold/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "../../audit/audit-log.js";
import { TEST_DATABASES } from "../../test/databases.js";
import { signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { AT_THE_DOOR, createHome, type TestHome } from "../../test/home.js";
import { until } from "../../test/wait.js";
import { WEBHOOK_EVENT_TYPES } from "./event-types.js";
import { type Receiver, startReceiver } from "./test-support.js";

describe("the event catalogue", () => {
  it("names each event once", () => {
    expect(new Set(EVENT_TYPES).size).toBe(EVENT_TYPES.length);
  });

  it("offers carriers only events the server records", () => {
    expect(WEBHOOK_EVENT_TYPES.filter((type) => !isEventType(type))).toEqual([]);
    expect(Object.values(VISIT_STATUS_EVENTS).filter((type) => !isEventType(type))).toEqual([]);
  });
});

describe.each(TEST_DATABASES)("event names through a real visit on %s", (database) => {
  let server: TestServer;
  let home: TestHome;
  let hooks: Receiver;
  const recorded: string[] = [];

  beforeAll(async () => {
    server = await startTestServer({
      database,
      env: { WEBHOOK_ALLOW_HTTP_LOOPBACK: "true", WEBHOOK_POLL_MS: "20", WEBHOOK_TIMEOUT_S: "1" },
    });
    home = await createHome(server);
    server.ctx.audit.on("appended", (events) => recorded.push(...events.map((e) => e.type)));
  });
  afterAll(async () => {
    await home?.stop();
    await server?.destroy();
    // Closed last, so no delivery is still talking to it.
    await hooks?.close();
  });

  it("tells a carrier subscribed to visit.opened that the door opened, under the catalogue's names", async () => {
    const admin = await signInAs(server, "carrier_admin", { carrierId: home.carrierId });
    hooks = await startReceiver();
    // The former name is no subscription: nothing is sent under it any more.
    const former = await home.request("POST", "/v1/webhooks/endpoints", {
      cookie: admin.cookie,
      body: { url: hooks.url, eventTypes: ["visit.open"] },
    });
    expect(former.status).toBe(400);
    expect(former.body.error.code).toBe("invalid_request");
    const endpoint = await home.request("POST", "/v1/webhooks/endpoints", {
      cookie: admin.cookie,
      body: { url: hooks.url, eventTypes: ["visit.opened", "visit.secured"] },
    });
    expect(endpoint.status).toBe(201);

    const { trackingNumber } = await home.shipment();
    const visit = await home.request("POST", "/v1/visits", {
      cookie: home.courier.cookie,
      body: { trackingNumber, location: AT_THE_DOOR },
    });
    expect(visit.body).toMatchObject({ status: "open" });
    home.lock.openDoor();
    home.lock.closeDoor();
    expect(
      (await home.request("POST", `/v1/visits/${visit.body.id}/secure`, { cookie: home.courier.cookie })).status,
    ).toBe(200);

    await until(() => hooks.received.length >= 2);
    const delivered = hooks.received.map((r) => JSON.parse(r.body) as { type: string; data: { visitId?: string } });
    expect(delivered.map((d) => d.type).sort()).toEqual(["visit.opened", "visit.secured"]);
    // Everything recorded on the way, by every module the visit went through, is in the one list.
    expect(recorded.length).toBeGreaterThan(0);
    expect(recorded.filter((type) => !isEventType(type))).toEqual([]);
  });

  it("finds a door's opening in the audit log under its name, rows stored under the old name included", async () => {
    // A row written before the rename: stored events keep their names, so this one says visit.open.
    const [old] = await server.ctx.audit.record({
      type: "visit.open" as EventType,
      subjectType: "visit",
      subjectId: newId("visit"),
      siteId: home.siteId,
      actor: SYSTEM_ACTOR,
    });
    const operator = await signInAs(server, "operator");
    const found = await home.request("GET", "/v1/audit/events?type=visit.opened&limit=500", {
      cookie: operator.cookie,
    });
    expect(found.status).toBe(200);
    const types = (found.body.events as { type: string; seq: number }[]).map((e) => e.type);
    expect(new Set(types)).toEqual(new Set(["visit.opened", "visit.open"]));
    expect(found.body.events.map((e: { seq: number }) => e.seq)).toContain(old?.seq);
  });
});

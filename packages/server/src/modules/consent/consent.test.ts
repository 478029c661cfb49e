import { ManualClock } from "@threshold/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../../test/databases.js";
import { type SignedInUser, signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { type ApiRequest, apiClient } from "../../test/http.js";
import { createSite } from "../../test/pairing.js";
import {
  auditEventsOf,
  CONSENT_BODY,
  createApiKey,
  insertDevice,
  iso,
  setUpHome,
} from "../shipments/test-support/index.js";

describe.each(TEST_DATABASES)("consent on %s", (database) => {
  const clock = new ManualClock();
  let server: TestServer;
  let request: ApiRequest;
  let alice: SignedInUser;
  let bob: SignedInUser;

  beforeAll(async () => {
    server = await startTestServer({ database, clock });
    request = apiClient(server.url);
    alice = await signInAs(server, "recipient");
    bob = await signInAs(server, "recipient");
  });
  afterAll(() => server.destroy());

  const path = (accessPointId: string) => `/v1/access-points/${accessPointId}/consent`;

  it("starts unset, is set and replaced by the owner, and each change is recorded", async () => {
    const home = await setUpHome(server, request, alice, { consent: null });
    const unset = await request("GET", path(home.accessPointId), { cookie: alice.cookie });
    expect(unset.status).toBe(200);
    expect(unset.body).toEqual({
      accessPointId: home.accessPointId,
      siteId: home.site.id,
      consent: null,
      suitedMethods: ["in_home", "doorstep"],
    });

    const put = await request("PUT", path(home.accessPointId), {
      cookie: alice.cookie,
      body: { ...CONSENT_BODY, days: [5, 1, 3], notes: "  Dog shut in the kitchen.  " },
    });
    expect(put.status).toBe(200);
    const expected = {
      accessPointId: home.accessPointId,
      siteId: home.site.id,
      consent: {
        methods: ["in_home"],
        days: [1, 3, 5],
        from: "07:00",
        to: "21:00",
        timezone: "Europe/Amsterdam",
        notes: "Dog shut in the kitchen.",
        offlineCodes: false,
        updatedAt: iso(clock.now()),
      },
      suitedMethods: ["in_home", "doorstep"],
    };
    expect(put.body).toEqual(expected);
    expect((await request("GET", path(home.accessPointId), { cookie: alice.cookie })).body).toEqual(expected);

    clock.advance(60_000);
    const replaced = await request("PUT", path(home.accessPointId), {
      cookie: alice.cookie,
      body: { methods: ["in_home", "doorstep"], days: [6, 7], from: "00:00", to: "24:00", timezone: "UTC" },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.consent).toEqual({
      methods: ["in_home", "doorstep"],
      days: [6, 7],
      from: "00:00",
      to: "24:00",
      timezone: "UTC",
      notes: "",
      offlineCodes: false,
      updatedAt: iso(clock.now()),
    });
    const rows = await server.ctx.db
      .selectFrom("consents")
      .selectAll()
      .where("access_point_id", "=", home.accessPointId)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ site_id: home.site.id, from_minute: 0, to_minute: 1440 });

    const events = await auditEventsOf(server, home.accessPointId, "consent.");
    expect(events.map((e) => e.type)).toEqual(["consent.updated", "consent.updated"]);
    expect(events[0]).toMatchObject({
      subject_type: "access_point",
      site_id: home.site.id,
      actor_type: "user",
      actor_id: alice.id,
    });
    expect(JSON.parse(events[0]?.data ?? "{}")).toEqual({
      methods: ["in_home"],
      days: [1, 3, 5],
      from: "07:00",
      to: "21:00",
      timezone: "Europe/Amsterdam",
      hasNotes: true,
      offlineCodes: false,
    });
    // The recipient reads the record through the audit API.
    const audit = await request("GET", `/v1/audit/events?siteId=${home.site.id}&type=consent.`, {
      cookie: alice.cookie,
    });
    expect(audit.status).toBe(200);
    expect(audit.body.events).toHaveLength(2);
  });

  it("withdraws consent with an empty method list", async () => {
    const home = await setUpHome(server, request, alice);
    const res = await request("PUT", path(home.accessPointId), {
      cookie: alice.cookie,
      body: { ...CONSENT_BODY, methods: [] },
    });
    expect(res.status).toBe(200);
    expect(res.body.consent.methods).toEqual([]);
  });

  it("refuses bad consent with 400 and changes nothing", async () => {
    const home = await setUpHome(server, request, alice);
    const bad: Record<string, unknown>[] = [
      { ...CONSENT_BODY, from: "21:00", to: "07:00" },
      { ...CONSENT_BODY, from: "09:00", to: "09:00" },
      { ...CONSENT_BODY, from: "7:00" },
      { ...CONSENT_BODY, from: "24:00" },
      { ...CONSENT_BODY, to: "21:60" },
      { ...CONSENT_BODY, to: "25:00" },
      { ...CONSENT_BODY, from: 700 },
      { ...CONSENT_BODY, timezone: "Mars/Olympus_Mons" },
      { ...CONSENT_BODY, timezone: "" },
      { ...CONSENT_BODY, days: [] },
      { ...CONSENT_BODY, days: [0] },
      { ...CONSENT_BODY, days: [8] },
      { ...CONSENT_BODY, days: [1, 1] },
      { ...CONSENT_BODY, days: [1.5] },
      { ...CONSENT_BODY, days: "weekdays" },
      { ...CONSENT_BODY, methods: ["teleport"] },
      { ...CONSENT_BODY, methods: ["in_home", "in_home"] },
      { ...CONSENT_BODY, methods: "in_home" },
      { ...CONSENT_BODY, notes: "x".repeat(501) },
      { ...CONSENT_BODY, notes: 5 },
      { ...CONSENT_BODY, extra: true },
      { methods: ["in_home"] },
    ];
    for (const body of bad) {
      const res = await request("PUT", path(home.accessPointId), { cookie: alice.cookie, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
    const tz = await request("PUT", path(home.accessPointId), {
      cookie: alice.cookie,
      body: { ...CONSENT_BODY, timezone: "Mars/Olympus_Mons" },
    });
    expect(tz.body.error.message).toMatch(/IANA/);
    const raw = await request("PUT", path(home.accessPointId), { cookie: alice.cookie, rawBody: "{" });
    expect(raw.body.error.code).toBe("invalid_json");
    const ok = await request("PUT", path(home.accessPointId), {
      cookie: alice.cookie,
      body: { ...CONSENT_BODY, notes: "x".repeat(500) },
    });
    expect(ok.status).toBe(200);
    expect((await auditEventsOf(server, home.accessPointId, "consent.")).length).toBe(2);
  });

  it("refuses methods the access point cannot serve with 422 method_not_suited", async () => {
    const home = await setUpHome(server, request, alice);
    for (const methods of [["in_garage"], ["in_home", "locker"], ["in_trunk"]]) {
      const res = await request("PUT", path(home.accessPointId), {
        cookie: alice.cookie,
        body: { ...CONSENT_BODY, methods },
      });
      expect(res.status, methods.join()).toBe(422);
      expect(res.body.error.code).toBe("method_not_suited");
    }
    const site = await createSite(request, alice, "Fridge");
    const lock = await insertDevice(server, alice, site.id, "lock");
    const fridge = await request("POST", `/v1/sites/${site.id}/access-points`, {
      cookie: alice.cookie,
      body: { kind: "fridge", name: "Cooler", actuatorDeviceId: lock },
    });
    expect(fridge.status).toBe(201);
    // The access point says what it can serve, so a settings screen offers only that.
    const offered = await request("GET", path(fridge.body.id), { cookie: alice.cookie });
    expect(offered.body).toMatchObject({ consent: null, suitedMethods: ["in_fridge", "doorstep"] });
    const inHome = await request("PUT", path(fridge.body.id), { cookie: alice.cookie, body: CONSENT_BODY });
    expect(inHome.status).toBe(422);
    expect(inHome.body.error.details).toMatchObject({ suited: ["in_fridge", "doorstep"], unsuited: ["in_home"] });
    const inFridge = await request("PUT", path(fridge.body.id), {
      cookie: alice.cookie,
      body: { ...CONSENT_BODY, methods: ["in_fridge"] },
    });
    expect(inFridge.status).toBe(200);
    expect(inFridge.body.suitedMethods).toEqual(["in_fridge", "doorstep"]);
  });

  it("hides other people's access points (404), lets operators read but not change, refuses API keys", async () => {
    const home = await setUpHome(server, request, alice);
    const missing = await request("GET", path(`acp_${"0".repeat(26)}`), { cookie: alice.cookie });
    expect(missing.status).toBe(404);
    const courier = await signInAs(server, "courier");
    for (const user of [bob, courier]) {
      for (const method of ["GET", "PUT"]) {
        const res = await request(method, path(home.accessPointId), {
          cookie: user.cookie,
          ...(method === "PUT" ? { body: CONSENT_BODY } : {}),
        });
        expect(res.status, `${user.role} ${method}`).toBe(404);
        expect(res.body.error.message).toBe(missing.body.error.message);
      }
    }
    const operator = await signInAs(server, "operator");
    expect((await request("GET", path(home.accessPointId), { cookie: operator.cookie })).status).toBe(200);
    const opPut = await request("PUT", path(home.accessPointId), { cookie: operator.cookie, body: CONSENT_BODY });
    expect(opPut.status).toBe(403);

    const admin = await signInAs(server, "carrier_admin");
    const key = await createApiKey(request, admin, ["shipments:read", "shipments:write"]);
    expect((await request("GET", path(home.accessPointId), { bearer: key })).status).toBe(403);
    expect((await request("PUT", path(home.accessPointId), { bearer: key, body: CONSENT_BODY })).status).toBe(403);
    expect((await request("GET", path(home.accessPointId))).status).toBe(401);

    for (const id of ["acp_nope", `sit_${"0".repeat(26)}`]) {
      expect((await request("GET", path(id), { cookie: alice.cookie })).status).toBe(400);
    }
    // Only Alice's own changes were recorded.
    expect((await auditEventsOf(server, home.accessPointId, "consent.")).map((e) => e.actor_id)).toEqual([alice.id]);

    // A removed access point has no consent to read or set.
    expect((await request("DELETE", `/v1/access-points/${home.accessPointId}`, { cookie: alice.cookie })).status).toBe(
      204,
    );
    expect((await request("GET", path(home.accessPointId), { cookie: alice.cookie })).status).toBe(404);
    expect((await request("PUT", path(home.accessPointId), { cookie: alice.cookie, body: CONSENT_BODY })).status).toBe(
      404,
    );
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEventsAbout } from "../../test/audit.js";
import { TEST_DATABASES } from "../../test/databases.js";
import { signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { AT_THE_DOOR, createHome, type TestHome } from "../../test/home.js";
import { VisitWatchdog } from "../visits/watchdog.js";

describe.each(TEST_DATABASES)("incidents on %s", (database) => {
  let server: TestServer;
  let home: TestHome;
  let incidentId: string;

  /** A courier who never secures: the watchdog raises an incident, and its relock locks the closed door. */
  async function raiseNotSecured(): Promise<{ incidentId: string; shipmentId: string }> {
    const { id: shipmentId, trackingNumber } = await home.shipment();
    const visit = (
      await home.request("POST", "/v1/visits", {
        cookie: home.courier.cookie,
        body: { trackingNumber, location: AT_THE_DOOR },
      })
    ).body;
    await server.ctx.db
      .updateTable("visits")
      .set({ deadline_at: Date.now() - 1 })
      .where("id", "=", visit.id)
      .execute();
    const watchdog = new VisitWatchdog(server.ctx);
    await watchdog.tick();
    await watchdog.stop();
    const incident = await server.ctx.db
      .selectFrom("incidents")
      .select("id")
      .where("visit_id", "=", visit.id)
      .executeTakeFirstOrThrow();
    return { incidentId: incident.id, shipmentId };
  }
  const shipmentStatus = async (shipmentId: string) =>
    (
      await server.ctx.db
        .selectFrom("shipments")
        .select("status")
        .where("id", "=", shipmentId)
        .executeTakeFirstOrThrow()
    ).status;

  beforeAll(async () => {
    server = await startTestServer({ database });
    home = await createHome(server);
    incidentId = (await raiseNotSecured()).incidentId;
  });
  afterAll(async () => {
    await home?.stop();
    await server?.destroy();
  });

  it("shows the recipient their site's incidents and nobody else's", async () => {
    const own = await home.request("GET", "/v1/incidents?status=open", { cookie: home.recipient.cookie });
    expect(own.status).toBe(200);
    expect(own.body.incidents).toEqual([
      expect.objectContaining({ id: incidentId, kind: "not_secured", status: "open" }),
    ]);
    const stranger = await signInAs(server, "recipient");
    expect((await home.request("GET", "/v1/incidents", { cookie: stranger.cookie })).body.incidents).toEqual([]);
    const operator = await signInAs(server, "operator");
    expect(
      (await home.request("GET", "/v1/incidents", { cookie: operator.cookie })).body.incidents.map(
        (i: { id: string }) => i.id,
      ),
    ).toContain(incidentId);
    expect((await home.request("GET", "/v1/incidents", { cookie: home.courier.cookie })).status).toBe(403);
    expect((await home.request("GET", "/v1/incidents")).status).toBe(401);
  });

  it("tells the incident's story in chain order: its visit, the visit's commands, and nothing else", async () => {
    const operator = await signInAs(server, "operator");
    const detail = await home.request("GET", `/v1/incidents/${incidentId}`, { cookie: operator.cookie });
    expect(detail.status).toBe(200);
    expect(detail.body.incident).toMatchObject({ id: incidentId, kind: "not_secured", status: "open" });
    const timeline = detail.body.timeline as { seq: number; type: string; subjectId: string; siteId: string }[];
    const seqs = timeline.map((event) => event.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const types = timeline.map((event) => event.type);
    expect(types[0]).toBe("visit.authorized");
    expect(types).toContain("command.created");
    // The incident, then the watchdog's lock retry and its outcome.
    expect(types).toContain("visit.incident");
    expect(types.lastIndexOf("command.created")).toBeGreaterThan(types.indexOf("visit.incident"));
    expect(timeline.every((event) => event.siteId === home.siteId)).toBe(true);
    const visitId = detail.body.incident.visitId;
    const subjects = new Set(timeline.map((event) => event.subjectId));
    expect(subjects.has(visitId)).toBe(true);
    // Commands of the visit, and no other visit's or device's business.
    const commandIds = [...subjects].filter((id) => id.startsWith("cmd_"));
    expect(commandIds.length).toBeGreaterThan(0);
    const commands = await server.ctx.db
      .selectFrom("commands")
      .select("params")
      .where("id", "in", commandIds)
      .execute();
    expect(commands.every((c) => JSON.parse(c.params).visitId === visitId)).toBe(true);

    const own = await home.request("GET", `/v1/incidents/${incidentId}`, { cookie: home.recipient.cookie });
    expect(own.status).toBe(200);
    expect(own.body.timeline).toEqual(timeline);
    const stranger = await signInAs(server, "recipient");
    const hidden = await home.request("GET", `/v1/incidents/${incidentId}`, { cookie: stranger.cookie });
    expect(hidden.status).toBe(404);
    expect(hidden.body.error.code).toBe("not_found");
    expect((await home.request("GET", `/v1/incidents/${incidentId}`, { cookie: home.courier.cookie })).status).toBe(
      403,
    );
    expect((await home.request("GET", `/v1/incidents/${incidentId}`)).status).toBe(401);
    expect((await home.request("GET", "/v1/incidents/inc_nope", { cookie: operator.cookie })).status).toBe(400);
  });

  it("lets only the site's recipient or an operator resolve it, once, and records who did", async () => {
    const resolve = (cookie: string, body: unknown = { resolution: "Checked the camera: door locked, all well." }) =>
      home.request("POST", `/v1/incidents/${incidentId}/resolve`, { cookie, body });
    expect((await resolve((await signInAs(server, "recipient")).cookie)).status).toBe(404);
    expect((await resolve(home.courier.cookie)).status).toBe(403);
    expect((await resolve(home.recipient.cookie, { resolution: 7 })).status).toBe(400);
    expect(
      (
        await home.request("POST", "/v1/incidents/inc_nope/resolve", {
          cookie: home.recipient.cookie,
          body: { resolution: "x y z" },
        })
      ).status,
    ).toBe(400);

    const resolved = await resolve(home.recipient.cookie);
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ status: "resolved", resolvedBy: home.recipient.id });
    expect((await resolve(home.recipient.cookie)).status).toBe(409);
    const event = await server.ctx.db
      .selectFrom("audit_events")
      .selectAll()
      .where("subject_id", "=", incidentId)
      .where("type", "=", "incident.resolved")
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({ actor_type: "user", actor_id: home.recipient.id, site_id: home.siteId });
    const detail = await home.request("GET", `/v1/incidents/${incidentId}`, { cookie: home.recipient.cookie });
    expect(detail.body.incident.status).toBe("resolved");
    expect(detail.body.timeline.at(-1)).toMatchObject({ type: "incident.resolved", subjectId: incidentId });
  });

  it("delivers the parcel only when the person resolving says it was delivered", async () => {
    const delivered = await raiseNotSecured();
    const resolve = (cookie: string, body: unknown) =>
      home.request("POST", `/v1/incidents/${delivered.incidentId}/resolve`, { cookie, body });
    // The relock made the door safe; the parcel is not delivered on that alone.
    expect(await shipmentStatus(delivered.shipmentId)).toBe("assigned");

    // Bad input and other people's incidents change nothing.
    const bad = await resolve(home.recipient.cookie, { resolution: "It is there.", outcome: "maybe" });
    expect(bad.status).toBe(400);
    const stranger = await signInAs(server, "recipient");
    expect((await resolve(stranger.cookie, { resolution: "It is there.", outcome: "delivered" })).status).toBe(404);
    expect(await shipmentStatus(delivered.shipmentId)).toBe("assigned");
    expect(
      (
        await server.ctx.db.selectFrom("incidents").select("status").where("id", "=", delivered.incidentId).execute()
      )[0],
    ).toEqual({ status: "open" });

    const resolved = await resolve(home.recipient.cookie, {
      resolution: "The parcel is in the hall; I saw it on the clip.",
      outcome: "delivered",
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ status: "resolved", outcome: "delivered" });
    expect(await shipmentStatus(delivered.shipmentId)).toBe("delivered");
    const events = await auditEventsAbout(server, delivered.shipmentId);
    expect(events.find((e) => e.type === "shipment.delivered")).toMatchObject({
      actorType: "user",
      actorId: home.recipient.id,
    });

    // Not delivered: the shipment stays undelivered, and the incident says so.
    const missing = await raiseNotSecured();
    const notDelivered = await home.request("POST", `/v1/incidents/${missing.incidentId}/resolve`, {
      cookie: home.recipient.cookie,
      body: { resolution: "Nothing in the hall.", outcome: "not_delivered" },
    });
    expect(notDelivered.body).toMatchObject({ status: "resolved", outcome: "not_delivered" });
    expect(await shipmentStatus(missing.shipmentId)).toBe("assigned");
    expect((await auditEventsAbout(server, missing.shipmentId)).map((e) => e.type)).not.toContain("shipment.delivered");
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../../test/databases.js";
import { signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { AT_THE_DOOR, createHome, type TestHome } from "../../test/home.js";

describe.each(TEST_DATABASES)("GET /v1/visits/in-progress on %s", (database) => {
  let server: TestServer;
  let home: TestHome;

  beforeAll(async () => {
    server = await startTestServer({ database });
    home = await createHome(server);
  });
  afterAll(async () => {
    await home?.stop();
    await server?.destroy();
  });

  const inProgress = (cookie?: string) => home.request("GET", "/v1/visits/in-progress", cookie ? { cookie } : {});

  it("shows the owner the open visit with the courier's first name and the door, until it is secured", async () => {
    expect((await inProgress(home.recipient.cookie)).body).toEqual({ visits: [] });
    const { id: shipmentId, trackingNumber } = await home.shipment();
    const opened = await home.request("POST", "/v1/visits", {
      cookie: home.courier.cookie,
      body: { trackingNumber, location: AT_THE_DOOR },
    });
    expect(opened.body).toMatchObject({ status: "open" });

    const during = await inProgress(home.recipient.cookie);
    expect(during.status).toBe(200);
    expect(during.body.visits).toHaveLength(1);
    expect(during.body.visits[0]).toMatchObject({
      id: opened.body.id,
      status: "open",
      shipmentId,
      trackingNumber,
      siteId: home.siteId,
      accessPointId: home.accessPointId,
      courierFirstName: "Test",
      accessPointName: "Front door",
    });

    home.lock.openDoor();
    home.lock.closeDoor();
    const secured = await home.request("POST", `/v1/visits/${opened.body.id}/secure`, { cookie: home.courier.cookie });
    expect(secured.body).toMatchObject({ status: "secured" });
    expect((await inProgress(home.recipient.cookie)).body).toEqual({ visits: [] });
  });

  it("answers a courier re-scanning their own open visit with that visit, already open, and records no refusal", async () => {
    const { id: shipmentId, trackingNumber } = await home.shipment();
    const scan = () =>
      home.request("POST", "/v1/visits", {
        cookie: home.courier.cookie,
        body: { trackingNumber, location: AT_THE_DOOR },
      });
    const opened = await scan();
    expect(opened.body).toMatchObject({ status: "open" });
    try {
      const again = await scan();
      expect(again.status, JSON.stringify(again.body)).toBe(200);
      expect(again.body).toMatchObject({
        id: opened.body.id,
        status: "open",
        alreadyOpen: true,
        refusals: [],
        message:
          "The door is already open for you: leave the package inside, close the door, then tap Done to lock it.",
        secure: { method: "POST", path: `/v1/visits/${opened.body.id}/secure` },
      });
      expect(opened.body.alreadyOpen).toBeUndefined();
      const refused = await server.ctx.db
        .selectFrom("visits")
        .select("id")
        .where("shipment_id", "=", shipmentId)
        .where("status", "=", "refused")
        .execute();
      expect(refused).toEqual([]);
      // No refusal event, so no visit.refused webhook to the carrier.
      const events = await server.ctx.db
        .selectFrom("audit_events")
        .select("type")
        .where("type", "=", "visit.refused")
        .execute();
      expect(events).toEqual([]);
    } finally {
      home.lock.openDoor();
      home.lock.closeDoor();
      const secured = await home.request("POST", `/v1/visits/${opened.body.id}/secure`, {
        cookie: home.courier.cookie,
      });
      expect(secured.body).toMatchObject({ status: "secured" });
    }
  });

  it("shows nobody else's visits, and is for signed-in recipients only", async () => {
    const { trackingNumber } = await home.shipment();
    const opened = await home.request("POST", "/v1/visits", {
      cookie: home.courier.cookie,
      body: { trackingNumber, location: AT_THE_DOOR },
    });
    expect(opened.body).toMatchObject({ status: "open" });
    try {
      const stranger = await signInAs(server, "recipient");
      expect((await inProgress(stranger.cookie)).body).toEqual({ visits: [] });
      expect((await inProgress()).status).toBe(401);
      expect((await inProgress(home.courier.cookie)).status).toBe(403);
      const operator = await signInAs(server, "operator");
      expect((await inProgress(operator.cookie)).status).toBe(403);
    } finally {
      home.lock.openDoor();
      home.lock.closeDoor();
      await home.request("POST", `/v1/visits/${opened.body.id}/secure`, { cookie: home.courier.cookie });
    }
  });
});

import type { GarageOpenerAgent } from "@threshold/devices";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../../test/databases.js";
import { addGarage, reported } from "../../test/garage-and-fridge.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { AT_THE_DOOR, createHome, type TestHome } from "../../test/home.js";
import { until } from "../../test/wait.js";
import { VisitWatchdog } from "../visits/watchdog.js";

/**
 * A garage left open (issue 24 item 7): once the opener reports the door closed, its incident says
 * so — when, and by what — and the recipient resolves it in one tap.
 */
describe.each(TEST_DATABASES)("a left-open garage's incident on %s", (database) => {
  let server: TestServer;
  let home: TestHome;
  let garage: GarageOpenerAgent;
  let garageAccessPointId: string;
  let stopGarage: () => Promise<void>;

  beforeAll(async () => {
    server = await startTestServer({ database });
    home = await createHome(server);
    ({ garage, accessPointId: garageAccessPointId, stop: stopGarage } = await addGarage(server, home));
  });
  afterAll(async () => {
    await stopGarage?.();
    await home?.stop();
    await server?.destroy();
  });

  async function openGarageVisit(): Promise<string> {
    const { trackingNumber } = await home.shipment({ method: "in_garage" });
    const opened = await home.request("POST", "/v1/visits", {
      cookie: home.courier.cookie,
      body: { trackingNumber, location: AT_THE_DOOR },
    });
    expect(opened.body.status).toBe("open");
    return opened.body.id as string;
  }
  const incidentOf = async (visitId: string) =>
    (await server.ctx.db.selectFrom("incidents").select("id").where("visit_id", "=", visitId).executeTakeFirstOrThrow())
      .id;
  const incidentView = async (incidentId: string) => {
    const res = await home.request("GET", `/v1/incidents/${incidentId}`, { cookie: home.recipient.cookie });
    expect(res.status).toBe(200);
    return res.body as {
      incident: { status: string; doorClosed: { at: string; by: string; commandId: string | null } | null };
      timeline: { type: string; data: Record<string, unknown> }[];
    };
  };

  it("records that the watchdog's close shut the garage, and the recipient resolves it in one tap", async () => {
    const visitId = await openGarageVisit();
    await server.ctx.db
      .updateTable("visits")
      .set({ deadline_at: Date.now() - 1 })
      .where("id", "=", visitId)
      .execute();
    const watchdog = new VisitWatchdog(server.ctx);
    await watchdog.tick();
    await watchdog.stop();
    expect(garage.state.door).toBe("closed");
    const incidentId = await incidentOf(visitId);

    await until(async () => (await incidentView(incidentId)).incident.doorClosed !== null, 15_000, "closed recorded");
    const { incident, timeline } = await incidentView(incidentId);
    expect(incident.status).toBe("open");
    expect(incident.doorClosed).toMatchObject({ by: "watchdog" });
    expect(incident.doorClosed?.commandId).toMatch(/^cmd_/);
    expect(timeline.find((e) => e.type === "incident.door_closed")?.data).toMatchObject({ by: "watchdog" });

    const resolved = await home.request("POST", `/v1/incidents/${incidentId}/resolve`, {
      cookie: home.recipient.cookie,
      body: { resolution: "The garage was closed by Threshold's automatic close." },
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ status: "resolved", doorClosed: { by: "watchdog" } });
  });

  it("says the owner closed it from the app when they did", async () => {
    const visitId = await openGarageVisit();
    garage.obstruct(); // a box in the doorway: the courier's close fails
    const answer = await home.request("POST", `/v1/visits/${visitId}/secure`, { cookie: home.courier.cookie });
    expect(answer.body).toMatchObject({ status: "incident", reason: "garage_obstructed" });
    const incidentId = await incidentOf(visitId);
    expect((await incidentView(incidentId)).incident.doorClosed).toBeNull();
    // The server's watchdog retries the close at once (it fails on the box), then waits
    // INCIDENT_RETRY_S (30 s) before the next: the owner's close comes in between.
    await until(
      async () =>
        (
          await server.ctx.db
            .selectFrom("commands")
            .select("id")
            .where("device_id", "=", garage.deviceId)
            .where("action", "=", "close")
            .where("status", "=", "failed")
            .where("params", "like", `%${visitId}%`)
            .execute()
        ).length >= 2,
      10_000,
      "the watchdog's first retry failed",
    );
    garage.clearObstruction();
    await reported(server, garage.deviceId, (s) => s.obstructed === false);

    const closed = await home.request("POST", `/v1/access-points/${garageAccessPointId}/secure`, {
      cookie: home.recipient.cookie,
    });
    expect(closed.body).toMatchObject({ status: "succeeded" });
    await until(async () => (await incidentView(incidentId)).incident.doorClosed !== null, 15_000, "closed recorded");
    expect((await incidentView(incidentId)).incident.doorClosed).toMatchObject({
      by: "owner_app",
      commandId: closed.body.commandId,
    });
  });
});

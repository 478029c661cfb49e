import { ManualClock } from "@threshold/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "../../audit/audit-log.js";
import { TEST_DATABASES } from "../../test/databases.js";
import { signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { type ApiRequest, apiClient } from "../../test/http.js";
import { rescheduleShipment } from "./reschedule.js";
import {
  auditEventsOf,
  type Carrier,
  createShipment,
  HOUR,
  type Home,
  iso,
  setUpCarrier,
  setUpHome,
} from "./test-support/index.js";

describe.each(TEST_DATABASES)("moving a shipment's window on %s", (database) => {
  const clock = new ManualClock();
  let server: TestServer;
  let request: ApiRequest;
  let home: Home;
  let acme: Carrier;

  beforeAll(async () => {
    server = await startTestServer({ database, clock });
    request = apiClient(server.url);
    home = await setUpHome(server, request, await signInAs(server, "recipient"));
    acme = await setUpCarrier(server, request);
  });
  afterAll(() => server.destroy());

  it("moves the window and records where it was and where it is", async () => {
    const shipment = await createShipment(server, request, acme, home.site.id);
    const now = clock.now();
    await rescheduleShipment(server.ctx, shipment.id, { start: now + 2 * HOUR, end: now + 6 * HOUR }, SYSTEM_ACTOR);
    const read = await request("GET", `/v1/shipments/${shipment.id}`, { bearer: acme.key });
    expect(read.body.window).toEqual({ start: iso(now + 2 * HOUR), end: iso(now + 6 * HOUR) });
    const [event] = await auditEventsOf(server, shipment.id, "shipment.rescheduled");
    expect(event).toMatchObject({ type: "shipment.rescheduled", actor_type: "system", site_id: home.site.id });
    expect(JSON.parse(String(event?.data))).toMatchObject({
      trackingNumber: shipment.trackingNumber,
      previousWindowStart: shipment.window.start,
      previousWindowEnd: shipment.window.end,
      windowStart: iso(now + 2 * HOUR),
      windowEnd: iso(now + 6 * HOUR),
    });
  });

  it("refuses a window that is over, backwards or longer than 12 hours, and changes nothing", async () => {
    const shipment = await createShipment(server, request, acme, home.site.id);
    const now = clock.now();
    for (const window of [
      { start: now - 5 * HOUR, end: now - HOUR },
      { start: now + 3 * HOUR, end: now + 2 * HOUR },
      { start: now, end: now + 13 * HOUR },
    ]) {
      await expect(rescheduleShipment(server.ctx, shipment.id, window, SYSTEM_ACTOR)).rejects.toMatchObject({
        code: "invalid_window",
      });
    }
    expect(await auditEventsOf(server, shipment.id, "shipment.rescheduled")).toEqual([]);
  });

  it("leaves a delivered shipment's window as it was", async () => {
    const shipment = await createShipment(server, request, acme, home.site.id);
    await server.ctx.db.updateTable("shipments").set({ status: "delivered" }).where("id", "=", shipment.id).execute();
    const now = clock.now();
    await expect(
      rescheduleShipment(server.ctx, shipment.id, { start: now, end: now + HOUR }, SYSTEM_ACTOR),
    ).rejects.toMatchObject({ code: "conflict" });
    const read = await request("GET", `/v1/shipments/${shipment.id}`, { bearer: acme.key });
    expect(read.body.window).toEqual(shipment.window);
  });

  it("answers not_found for a shipment that does not exist", async () => {
    const now = clock.now();
    await expect(
      rescheduleShipment(server.ctx, `shp_${"0".repeat(26)}`, { start: now, end: now + HOUR }, SYSTEM_ACTOR),
    ).rejects.toMatchObject({ code: "not_found" });
  });
});

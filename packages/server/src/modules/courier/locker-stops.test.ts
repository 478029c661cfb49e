import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../../test/databases.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { createBuilding, INPOST, type TestBuilding } from "../../test/lockers.js";

/** A locker stop opens no door of its own: it sends the courier to the bank, whose compartment opens on the scan. */
describe.each(TEST_DATABASES)("courier locker stops on %s", (database) => {
  let server: TestServer;
  let building: TestBuilding;

  beforeAll(async () => {
    server = await startTestServer({ database });
    building = await createBuilding(server, { compartments: [{ number: 1, ...INPOST.B }] });
  });
  afterAll(async () => {
    await building?.stop();
    await server?.destroy();
  });

  it("names the building's bank to go to and where its drop-off scan goes, with no door readiness", async () => {
    const shipment = await building.shipment();
    const res = await building.request("GET", "/v1/courier/stops", { cookie: building.courier.cookie });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const stop = res.body.stops.find((s: { shipmentId: string }) => s.shipmentId === shipment.id);
    expect(stop).toMatchObject({
      method: "locker",
      accessPoint: null,
      readiness: null,
      lockerBanks: [
        {
          id: building.bankId,
          name: "Lobby lockers",
          dropOff: { method: "POST", path: `/v1/lockers/banks/${building.bankId}/drop-offs` },
        },
      ],
    });
  });
});

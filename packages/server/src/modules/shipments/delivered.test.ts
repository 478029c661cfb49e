import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../../test/databases.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { createHome, type TestHome } from "../../test/home.js";
import { markShipmentDelivered } from "./index.js";

/** The one way a shipment is marked handed over, for visits, offline codes, lockers and incidents alike. */
describe.each(TEST_DATABASES)("marking a shipment delivered on %s", (database) => {
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

  const row = (id: string) =>
    server.ctx.db
      .selectFrom("shipments")
      .select(["status", "delivered_at", "delivered_visit_id"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();

  it("hands a shipment over once: proof that arrives again changes nothing", async () => {
    const { id } = await home.shipment();
    expect(await markShipmentDelivered(server.ctx.db, { id }, { at: 1_000, now: 2_000, visitId: "vis_first" })).toBe(
      true,
    );
    expect(await markShipmentDelivered(server.ctx.db, { id }, { at: 5_000, now: 6_000, visitId: "vis_later" })).toBe(
      false,
    );
    expect(await row(id)).toEqual({ status: "delivered", delivered_at: 1_000, delivered_visit_id: "vis_first" });
  });

  it("ends a return taken from a trunk collected, not delivered", async () => {
    const { id } = await home.shipment({ direction: "return" });
    expect(await markShipmentDelivered(server.ctx.db, { id, direction: "return" }, { at: 1_000, now: 1_000 })).toBe(
      true,
    );
    expect(await row(id)).toMatchObject({ status: "collected", delivered_visit_id: null });
  });
});

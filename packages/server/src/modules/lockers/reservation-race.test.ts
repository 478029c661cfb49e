import { newId } from "@threshold/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../../test/databases.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { createBuilding, INPOST, type TestBuilding } from "../../test/lockers.js";
import { reserveCompartment, reservedParcel } from "./reservation.js";

/**
 * The race for the last compartments, below HTTP: many reservations at once for fewer
 * compartments than requests, from one server process (SQLite, PostgreSQL) and from two server
 * processes sharing one PostgreSQL database. Every compartment goes to exactly one resident.
 */
describe.each(TEST_DATABASES)("compartment reservation races on %s", (database) => {
  let server: TestServer;
  let second: TestServer | undefined;
  let b: TestBuilding;

  beforeAll(async () => {
    server = await startTestServer({ database });
    if (database === "postgres") {
      // A second server process on the same database, as behind a load balancer.
      second = await startTestServer({ database: "sqlite", env: { DATABASE_URL: server.config.databaseUrl ?? "" } });
    }
    b = await createBuilding(server, {
      compartments: Array.from({ length: 6 }, (_, i) => ({ number: i + 1, ...INPOST.B })),
    });
  });
  afterAll(async () => {
    await b?.stop();
    await second?.destroy();
    await server?.destroy();
  });

  it("24 residents racing for 6 compartments: 6 winners, each compartment once, 18 told it is full", async () => {
    const servers = second ? [server, second] : [server];
    const attempts = Array.from({ length: 24 }, (_, i) => {
      const ctx = (servers[i % servers.length] as TestServer).ctx;
      const residentId = newId("user");
      return ctx.audit.transaction(async (trx) => {
        const now = ctx.clock.now();
        const reserved = await reserveCompartment(
          trx,
          {
            bankId: b.bankId,
            residentId,
            parcel: [30, 30, 15],
            temperature: "ambient",
            preferAccessible: false,
            exclude: [],
          },
          now,
        );
        if (!reserved) return null;
        await trx
          .insertInto("locker_parcels")
          .values(
            reservedParcel({
              id: newId("lockerParcel", now),
              kind: "delivery",
              shipmentId: null,
              label: `RACE${i}`,
              bankId: b.bankId,
              compartmentId: reserved.compartment.id,
              residentId: residentId,
              carrierId: b.carrierId,
              courierId: null,
              parcel: [30, 30, 15],
              temperature: "ambient",
              overflow: false,
              now,
            }),
          )
          .execute();
        return { residentId, compartmentId: reserved.compartment.id, packed: reserved.packed };
      });
    });
    const results = await Promise.all(attempts);
    const winners = results.filter((r) => r !== null);
    expect(winners).toHaveLength(6);
    expect(results.filter((r) => r === null)).toHaveLength(18);
    expect(new Set(winners.map((w) => w?.compartmentId)).size).toBe(6);
    const rows = await server.ctx.db
      .selectFrom("compartments")
      .select(["id", "state", "resident_id"])
      .where("bank_id", "=", b.bankId)
      .execute();
    for (const row of rows) {
      expect(row.state).toBe("reserved");
      const holders = await server.ctx.db
        .selectFrom("locker_parcels")
        .select("resident_id")
        .where("compartment_id", "=", row.id)
        .execute();
      // double_assignments = 0: one parcel, and its resident is the compartment's.
      expect(holders).toEqual([{ resident_id: row.resident_id }]);
    }
  });
});

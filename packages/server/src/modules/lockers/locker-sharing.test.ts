import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEventsAbout } from "../../test/audit.js";
import { TEST_DATABASES } from "../../test/databases.js";
import { signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { AT_THE_LOCKER, createBuilding, INPOST, type TestBuilding } from "../../test/lockers.js";
import { until } from "../../test/wait.js";

/**
 * Sharing a pickup (issue 24 item 5): a compartment has one door and one code, so sharing one
 * parcel must never hand over another that waits behind the same door.
 */
describe.each(TEST_DATABASES)("sharing a locker pickup on %s", (database) => {
  let server: TestServer;
  const buildings: TestBuilding[] = [];

  beforeAll(async () => {
    server = await startTestServer({ database });
  });
  afterAll(async () => {
    for (const b of buildings) await b.stop();
    await server?.destroy();
  });

  /** Two B compartments: a resident's two thin parcels stack into one of them. */
  async function building(): Promise<TestBuilding> {
    const made = await createBuilding(server, {
      compartments: [
        { number: 1, ...INPOST.B },
        { number: 2, ...INPOST.B },
      ],
    });
    buildings.push(made);
    return made;
  }

  const parcelStatus = async (parcelId: string) =>
    (await server.ctx.db.selectFrom("locker_parcels").select("status").where("id", "=", parcelId).executeTakeFirst())
      ?.status;

  async function dropOff(b: TestBuilding) {
    const shipment = await b.shipment({ size: [30, 20, 5] });
    const res = await b.request("POST", `/v1/lockers/banks/${b.bankId}/drop-offs`, {
      cookie: b.courier.cookie,
      body: { trackingNumber: shipment.trackingNumber },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const n = res.body.compartment as number;
    b.controller.putParcel(n);
    b.controller.closeDoor(n);
    await until(async () => (await parcelStatus(res.body.parcel.id)) === "in_locker", 15_000, "deposit confirmed");
    return { parcelId: res.body.parcel.id as string, compartment: n };
  }

  async function parcelSeenBy(b: TestBuilding, parcelId: string, cookie: string) {
    const res = await b.request("GET", "/v1/lockers/parcels", { cookie });
    expect(res.status).toBe(200);
    return res.body.parcels.find((p: { id: string }) => p.id === parcelId);
  }

  const share = (b: TestBuilding, parcelId: string, email: string, wholeCompartment?: boolean) =>
    b.request("POST", `/v1/lockers/parcels/${parcelId}/shares`, {
      cookie: b.resident.cookie,
      body: { email, ...(wholeCompartment === undefined ? {} : { wholeCompartment }) },
    });

  const openInApp = (b: TestBuilding, parcelId: string, cookie: string) =>
    b.request("POST", `/v1/lockers/parcels/${parcelId}/open`, { cookie, body: { location: AT_THE_LOCKER } });

  it("refuses to share one parcel of a compartment that holds another: the friend gets neither code nor door, and both parcels stay", async () => {
    const b = await building();
    const first = await dropOff(b);
    const second = await dropOff(b);
    expect(second.compartment).toBe(first.compartment);
    const friend = await signInAs(server, "recipient");

    const refused = await share(b, first.parcelId, friend.email);
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body.error.code).toBe("shares_compartment");
    expect(refused.body.error.message).toContain(`compartment ${first.compartment}`);
    expect(refused.body.error.details).toEqual({ compartment: first.compartment, otherParcelIds: [second.parcelId] });
    // Nothing changed: no share, no event, the friend sees no parcel and cannot open.
    expect(await parcelSeenBy(b, first.parcelId, friend.cookie)).toBeUndefined();
    expect((await auditEventsAbout(server, first.parcelId)).map((e) => e.type)).not.toContain("locker.pickup_shared");
    expect((await openInApp(b, first.parcelId, friend.cookie)).status).toBe(404);
    expect(b.controller.state.compartments.find((c) => c.n === first.compartment)?.door).toBe("closed");
    expect(await parcelStatus(first.parcelId)).toBe("in_locker");
    expect(await parcelStatus(second.parcelId)).toBe("in_locker");
  });

  it("shares the whole compartment when asked: the friend sees both with the code, and their pickup takes both", async () => {
    const b = await building();
    const first = await dropOff(b);
    const second = await dropOff(b);
    const friend = await signInAs(server, "recipient");

    const shared = await share(b, first.parcelId, friend.email, true);
    expect(shared.status, JSON.stringify(shared.body)).toBe(200);
    expect(shared.body).toEqual({
      parcelId: first.parcelId,
      sharedWith: friend.id,
      parcelIds: [first.parcelId, second.parcelId].sort(),
    });
    const code = (await parcelSeenBy(b, first.parcelId, b.resident.cookie)).code;
    expect((await parcelSeenBy(b, first.parcelId, friend.cookie)).code).toBe(code);
    expect((await parcelSeenBy(b, second.parcelId, friend.cookie)).code).toBe(code);

    expect((await openInApp(b, first.parcelId, friend.cookie)).status).toBe(200);
    b.controller.takeParcel(first.compartment);
    b.controller.closeDoor(first.compartment);
    await until(async () => (await parcelStatus(second.parcelId)) === "picked_up", 15_000, "pickup confirmed");
    expect(await parcelStatus(first.parcelId)).toBe("picked_up");
  });

  it("puts no more of the resident's parcels behind a shared compartment's door: the next one goes to another", async () => {
    const b = await building();
    const first = await dropOff(b);
    const friend = await signInAs(server, "recipient");
    expect((await share(b, first.parcelId, friend.email)).status).toBe(200);
    const next = await dropOff(b);
    expect(next.compartment).not.toBe(first.compartment);
    // The friend's code is still the shared compartment's, and opens nothing of the new parcel.
    expect(await parcelSeenBy(b, next.parcelId, friend.cookie)).toBeUndefined();
    expect((await parcelSeenBy(b, first.parcelId, friend.cookie)).code).toBe(
      (await parcelSeenBy(b, first.parcelId, b.resident.cookie)).code,
    );
  });

  it("never opens for someone who may not take everything behind the door, whatever the shares say", async () => {
    const b = await building();
    const first = await dropOff(b);
    const second = await dropOff(b);
    const friend = await signInAs(server, "recipient");
    // A share of one parcel of two, as one made before sharing was checked would be.
    await server.ctx.db
      .insertInto("locker_parcel_shares")
      .values({ parcel_id: first.parcelId, user_id: friend.id, created_at: Date.now() })
      .execute();
    const seen = await parcelSeenBy(b, first.parcelId, friend.cookie);
    expect(seen.status).toBe("in_locker");
    expect(seen.code).toBeUndefined();
    expect(seen.qr).toBeUndefined();
    const refused = await openInApp(b, first.parcelId, friend.cookie);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("shares_compartment");
    expect(b.controller.state.compartments.find((c) => c.n === first.compartment)?.door).toBe("closed");
    expect(await parcelStatus(second.parcelId)).toBe("in_locker");
    // The resident, who may take both, still opens.
    expect((await openInApp(b, first.parcelId, b.resident.cookie)).status).toBe(200);
  });
});

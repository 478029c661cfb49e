import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEventsAbout } from "../../test/audit.js";
import { TEST_DATABASES } from "../../test/databases.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { createBuilding, INPOST, type TestBuilding } from "../../test/lockers.js";
import { until } from "../../test/wait.js";

/**
 * Codes at the kiosk (issue 24 item 6): a code already used is told apart from a guess, and one
 * person's wrong codes do not lock the building's kiosk for everyone else.
 */
describe.each(TEST_DATABASES)("kiosk codes on %s", (database) => {
  let server: TestServer;
  const buildings: TestBuilding[] = [];

  beforeAll(async () => {
    server = await startTestServer({ database });
  });
  afterAll(async () => {
    for (const b of buildings) await b.stop();
    await server?.destroy();
  });

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

  /** A parcel dropped off, confirmed by the controller; its code as the resident's app shows it. */
  async function waitingParcel(b: TestBuilding) {
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
    const mine = await b.request("GET", "/v1/lockers/parcels", { cookie: b.resident.cookie });
    const code = mine.body.parcels.find((p: { id: string }) => p.id === res.body.parcel.id).code as string;
    return { parcelId: res.body.parcel.id as string, compartment: n, code };
  }

  const typeCode = (b: TestBuilding, code: string, cookie?: string) =>
    b.request("POST", `/v1/lockers/banks/${b.bankId}/kiosk/code`, { body: { code }, ...(cookie ? { cookie } : {}) });

  it("answers a code already used with already_collected, and never counts it as a wrong try", async () => {
    const b = await building();
    const collected = await waitingParcel(b);
    expect((await typeCode(b, collected.code)).status).toBe(200);
    b.controller.takeParcel(collected.compartment);
    b.controller.closeDoor(collected.compartment);
    await until(async () => (await parcelStatus(collected.parcelId)) === "picked_up", 15_000, "pickup confirmed");

    // More re-typings than the bank's limit of wrong codes.
    for (let i = 0; i < 7; i++) {
      const again = await typeCode(b, collected.code);
      expect(again.status, JSON.stringify(again.body)).toBe(409);
      expect(again.body.error.code).toBe("already_collected");
      expect(again.body.error.message).toMatch(/already used/i);
    }
    expect(b.controller.state.compartments.find((c) => c.n === collected.compartment)?.door).toBe("closed");
    // The kiosk still opens for the next resident, and the manager was never alerted.
    const next = await waitingParcel(b);
    expect((await typeCode(b, next.code)).status).toBe(200);
    expect((await auditEventsAbout(server, b.bankId)).map((e) => e.type)).not.toContain("locker.wrong_code_limit");
    expect(
      await server.ctx.db.selectFrom("locker_code_failures").selectAll().where("bank_id", "=", b.bankId).execute(),
    ).toEqual([]);
  });

  it("locks a signed-in person out after their own wrong codes, saying for how long; the kiosk stays open to everyone else", async () => {
    const b = await building();
    const waiting = await waitingParcel(b);
    const tries = [];
    for (let i = 0; i < 5; i++) tries.push(await typeCode(b, "00000000", b.resident.cookie));
    expect(tries.slice(0, 4).map((t) => t.body.error.code)).toEqual(Array(4).fill("wrong_pickup_code"));
    expect(tries[4]?.status).toBe(429);
    expect(tries[4]?.body.error.code).toBe("kiosk_locked_out");
    expect(tries[4]?.body.error.details.retryAfterS).toBe(15 * 60);
    expect(tries[4]?.body.error.message).toContain("15 minutes");
    // They stay locked out, told how long is left…
    const stillLocked = await typeCode(b, waiting.code, b.resident.cookie);
    expect(stillLocked.status).toBe(429);
    expect(stillLocked.body.error.details.retryAfterS).toBeGreaterThan(0);
    expect(stillLocked.body.error.details.retryAfterS).toBeLessThanOrEqual(15 * 60);
    // …while the keypad, anonymous, still opens for the right code.
    const anonymous = await typeCode(b, waiting.code);
    expect(anonymous.status, JSON.stringify(anonymous.body)).toBe(200);
    const alert = (await auditEventsAbout(server, b.bankId)).find((e) => e.type === "locker.wrong_code_limit");
    expect(alert?.data).toMatchObject({ source: "account", lockoutS: 900, alert: "manager" });
  });

  it("still locks the anonymous keypad after five unknown codes, saying how long, and spares signed-in people", async () => {
    const b = await building();
    const waiting = await waitingParcel(b);
    const tries = [];
    for (let i = 0; i < 5; i++) tries.push(await typeCode(b, "00000000"));
    expect(tries[4]?.status).toBe(429);
    expect(tries[4]?.body.error.details.retryAfterS).toBe(15 * 60);
    expect(Date.parse(tries[4]?.body.error.details.until)).toBeGreaterThan(Date.now());
    const locked = await typeCode(b, waiting.code);
    expect(locked.status).toBe(429);
    expect(locked.body.error.message).toMatch(/Try again in \d+ minutes?/);
    // A resident signed in on their phone is not the anonymous guesser.
    expect((await typeCode(b, waiting.code, b.resident.cookie)).status).toBe(200);
  });
});

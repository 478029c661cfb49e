import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SignedInUser, signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { apiClient } from "../../test/http.js";
import { createBuilding, INPOST, type TestBuilding } from "../../test/lockers.js";

/**
 * POST /v1/demo/locker: the kiosk's demo buttons, hands at the demo's simulated bank. Like the demo
 * keypad it needs a demo login; it answers only on `threshold demo`, only for a bank the demo runs,
 * and passes on nothing it has not checked.
 */
describe("POST /v1/demo/locker", () => {
  let demo: TestServer;
  let plain: TestServer;
  let building: TestBuilding;
  let signedIn: SignedInUser;
  /** What reached the hands: the demo's fleet would move its simulated parcel or door. */
  const calls: [string, number, string][] = [];

  beforeAll(async () => {
    [demo, plain] = await Promise.all([
      startTestServer({
        database: "sqlite",
        // As the demo's fleet answers: only an open compartment of one of its controllers can be acted on.
        demoLocker: async (deviceId, compartment, action) => {
          calls.push([deviceId, compartment, action]);
          return deviceId === building.controller.deviceId && compartment === 1;
        },
      }),
      startTestServer({ database: "sqlite" }),
    ]);
    building = await createBuilding(demo, { compartments: [{ number: 1, ...INPOST.B }] });
    signedIn = await signInAs(demo, "recipient");
  });
  afterAll(async () => {
    await building?.stop();
    await Promise.all([demo?.destroy(), plain?.destroy()]);
  });

  /** A press by `cookie`'s account: the building's resident unless said otherwise, nobody when null. */
  const press = (server: TestServer, body: unknown, cookie: string | null = signedIn.cookie) =>
    apiClient(server.url)("POST", "/v1/demo/locker", { body, ...(cookie ? { cookie } : {}) });

  it("is not there on a server that is not the demo", async () => {
    const res = await press(plain, { bankId: building.bankId, compartment: 1, action: "put" }, null);
    expect(res.status).toBe(401);
    const signedInElsewhere = await signInAs(plain, "recipient");
    const asked = await press(
      plain,
      { bankId: building.bankId, compartment: 1, action: "put" },
      signedInElsewhere.cookie,
    );
    expect(asked.status).toBe(404);
  });

  it("needs a demo login, like the demo keypad: an anonymous press is 401 and moves no hands", async () => {
    for (const body of [
      { bankId: building.bankId, compartment: 1, action: "put" },
      { bankId: building.bankId, compartment: 1, action: "smash" },
    ]) {
      const res = await press(demo, body, null);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("unauthenticated");
    }
    expect(calls).toEqual([]);
  });

  it("refuses malformed requests and banks the demo does not run, before any hands move", async () => {
    for (const body of [
      { bankId: "lkb_nope", compartment: 1, action: "put" },
      { bankId: building.bankId, compartment: 0, action: "put" },
      { bankId: building.bankId, compartment: 1, action: "smash" },
      { bankId: building.bankId, compartment: 1, action: "put", extra: true },
    ]) {
      expect((await press(demo, body)).status).toBe(400);
    }
    const unknown = await press(demo, { bankId: `lkb_${"0".repeat(26)}`, compartment: 1, action: "put" });
    expect(unknown.status).toBe(409);
    expect(calls).toEqual([]);
  });

  it("passes a press at the demo's bank to its hands, and says when nothing could be done", async () => {
    expect((await press(demo, { bankId: building.bankId, compartment: 1, action: "put" })).body).toEqual({
      done: true,
    });
    const shut = await press(demo, { bankId: building.bankId, compartment: 2, action: "close" });
    expect(shut.status).toBe(409);
    expect(shut.body.error.code).toBe("conflict");
    expect(calls).toEqual([
      [building.controller.deviceId, 1, "put"],
      [building.controller.deviceId, 2, "close"],
    ]);
  });
});

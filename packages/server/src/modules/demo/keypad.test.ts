import type { LockAgent } from "@threshold/devices";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DemoKeypadVerdict } from "../../context.js";
import { signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { createHome, type TestHome } from "../../test/home.js";
import { apiClient } from "../../test/http.js";

/**
 * POST /v1/demo/keypad: the web app's demo keypad types on a real simulated lock (the home's
 * LockAgent here, as the demo's fleet in `threshold demo`), for its owner only.
 */
describe("POST /v1/demo/keypad", () => {
  let demo: TestServer;
  let plain: TestServer;
  let home: TestHome;
  let lock: LockAgent | undefined;

  beforeAll(async () => {
    [demo, plain] = await Promise.all([
      startTestServer({
        database: "sqlite",
        demoKeypad: async (deviceId, code): Promise<DemoKeypadVerdict | null> => {
          if (!lock || lock.deviceId !== deviceId) return null;
          const verdict = await lock.enterCode(code);
          return verdict.result === "opened" ? { result: "opened" } : verdict;
        },
      }),
      startTestServer({ database: "sqlite" }),
    ]);
    home = await createHome(demo);
    lock = home.lock;
  });
  afterAll(async () => {
    await home?.stop();
    await Promise.all([demo?.destroy(), plain?.destroy()]);
  });

  const type = (server: TestServer, body: unknown, cookie?: string) =>
    apiClient(server.url)("POST", "/v1/demo/keypad", { body, ...(cookie ? { cookie } : {}) });

  it("types on the owner's simulated lock: a wrong code is refused and counted, and the lock stays locked", async () => {
    const res = await type(demo, { deviceId: home.lock.deviceId, code: "1234" }, home.recipient.cookie);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ result: "refused", wrongInARow: 1, lockedOut: false });
    expect(home.lock.state.lock).toBe("locked");
  });

  it("is for the lock's owner only, and only on a demo", async () => {
    const body = { deviceId: home.lock.deviceId, code: "1234" };
    expect((await type(demo, body)).status).toBe(401);
    const stranger = await signInAs(demo, "recipient");
    expect((await type(demo, body, stranger.cookie)).body.error.code).toBe("not_found");
    const courier = await type(demo, body, home.courier.cookie);
    expect(courier.status).toBe(404);
    const elsewhere = await signInAs(plain, "recipient");
    const notDemo = await type(plain, body, elsewhere.cookie);
    expect(notDemo.status).toBe(404);
    expect(notDemo.body.error.code).toBe("not_found");
    // None of those reached the keypad.
    expect((await type(demo, { ...body, code: "0000" }, home.recipient.cookie)).body.wrongInARow).toBe(2);
  });

  it("refuses a camera, an unknown device and bad input with stable codes, typing nothing", async () => {
    const camera = await type(demo, { deviceId: home.camera.deviceId, code: "1" }, home.recipient.cookie);
    expect(camera.status).toBe(422);
    expect(camera.body.error.code).toBe("device_kind_mismatch");
    const unknown = await type(demo, { deviceId: "dev_01m0000000000000000000000a", code: "1" }, home.recipient.cookie);
    expect(unknown.status).toBe(404);
    for (const body of [
      { deviceId: home.lock.deviceId, code: "12a4" },
      { deviceId: home.lock.deviceId, code: "" },
      { deviceId: home.lock.deviceId, code: 1234 },
      { deviceId: "lock", code: "1234" },
      { deviceId: home.lock.deviceId, code: "1234", extra: true },
    ]) {
      const res = await type(demo, body, home.recipient.cookie);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
    expect(
      (await type(demo, { deviceId: home.lock.deviceId, code: "0000" }, home.recipient.cookie)).body.wrongInARow,
    ).toBe(3);
  });
});

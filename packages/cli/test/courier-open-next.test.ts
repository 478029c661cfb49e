import type { LockAgent } from "@threshold/devices";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../../server/src/test/databases.js";
import { addFridge } from "../../server/src/test/garage-and-fridge.js";
import { startTestServer, type TestServer } from "../../server/src/test/harness.js";
import { AT_THE_DOOR, createHome, type TestHome } from "../../server/src/test/home.js";
import { registerCourierCommands } from "../src/commands/courier.js";
import { runInProcess } from "./run-in-process.js";

describe.each(TEST_DATABASES)("threshold courier open-next, against a server on %s", (database) => {
  let server: TestServer;
  let home: TestHome;
  let fridge: LockAgent;
  let stopFridge: () => Promise<void>;

  beforeAll(async () => {
    server = await startTestServer({ database });
    home = await createHome(server);
    ({ fridge, stop: stopFridge } = await addFridge(server, home, { behindFrontDoor: true }));
  });
  afterAll(async () => {
    await stopFridge?.();
    await home?.stop();
    await server?.destroy();
  });

  const courier = (args: string[]) =>
    runInProcess(registerCourierCommands, [
      "courier",
      ...args,
      "--server",
      server.url,
      "--email",
      home.courier.email,
      "--password",
      home.courier.password,
    ]);
  const scan = async (method: string) => {
    const { trackingNumber } = await home.shipment({ method, perishable: method === "in_fridge" });
    const opened = await home.request("POST", "/v1/visits", {
      cookie: home.courier.cookie,
      body: { trackingNumber, location: AT_THE_DOOR },
    });
    expect(opened.body.status).toBe("open");
    return opened.body.id as string;
  };

  it("opens the fridge behind the open front door, and says that securing locks both", async () => {
    const visitId = await scan("in_fridge");
    expect(fridge.state.lock).toBe("locked");
    const result = await courier(["open-next", visitId]);
    expect(result).toMatchObject({ exitCode: 0 });
    expect(result.stdout).toContain("OPEN");
    expect(result.stdout).toContain("The fridge is open too");
    expect(fridge.state.lock).toBe("unlocked");
    const visit = await home.request("GET", `/v1/visits/${visitId}`, { cookie: home.courier.cookie });
    expect(visit.body.innerAccessPoint.openedAt).toEqual(expect.any(String));

    const secured = await courier(["secure", visitId]);
    expect(secured.stdout).toContain("LOCKED");
    expect(fridge.state.lock).toBe("locked");
  });

  it("prints the refusal with its code and exits 3 for a visit with no next door, sending nothing", async () => {
    const visitId = await scan("in_home");
    const unlocksBefore = await fridgeUnlocks();
    const result = await courier(["open-next", visitId]);
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toMatch(/REFUSED\n {2}.*\(no_next_access_point\)/);
    expect(await fridgeUnlocks()).toBe(unlocksBefore);
  });

  it("says what is wrong with an unknown visit", async () => {
    const result = await courier(["open-next", "vis_0000000000aaaaaaaaaaaaaaaa"]);
    expect(result.exitCode).toBe(1);
    expect(result.error).toMatch(/No visit with that id/);
  });

  async function fridgeUnlocks(): Promise<number> {
    const rows = await server.ctx.db
      .selectFrom("commands")
      .select("id")
      .where("device_id", "=", fridge.deviceId)
      .where("action", "=", "unlock")
      .execute();
    return rows.length;
  }
});

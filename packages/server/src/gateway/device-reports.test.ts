import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../test/databases.js";
import { startTestServer, type TestServer } from "../test/harness.js";
import { createHome, type TestHome } from "../test/home.js";
import { DeviceReportWriter } from "./device-reports.js";

describe.each(TEST_DATABASES)("device reports written in batches on %s", (database) => {
  let server: TestServer;
  let home: TestHome;
  let lockId: string;
  beforeAll(async () => {
    server = await startTestServer({ database });
    home = await createHome(server);
    lockId = home.lock.deviceId;
  });
  afterAll(async () => {
    await home.stop();
    await server.destroy();
  });

  const device = () =>
    server.ctx.db
      .selectFrom("devices")
      .select(["online", "firmware", "last_seen_at"])
      .where("id", "=", lockId)
      .executeTakeFirstOrThrow();
  const event = (id: string, seq: number) => ({
    device_id: lockId,
    id,
    seq,
    type: "test.event",
    at: 1,
    data: "{}",
    message: "{}",
    received_at: 1,
  });

  it("merges one device's patches in arrival order, in one write", async () => {
    const writer = new DeviceReportWriter(server.ctx.db, server.ctx.storage.dialect);
    await Promise.all([
      writer.patch(lockId, { online: 0, firmware: "first" }),
      writer.patch(lockId, { firmware: "second", last_seen_at: 42 }),
      writer.patch(lockId, { online: 1 }),
    ]);
    expect(await device()).toEqual({ online: 1, firmware: "second", last_seen_at: 42 });
  });

  it("stores each event once and says which were new, also when one arrives twice in a batch", async () => {
    const writer = new DeviceReportWriter(server.ctx.db, server.ctx.storage.dialect);
    const first = await Promise.all([writer.event(event("evt_a", 1)), writer.event(event("evt_a", 1))]);
    expect(first).toEqual([true, false]);
    const again = await Promise.all([writer.event(event("evt_a", 1)), writer.event(event("evt_b", 2))]);
    expect(again).toEqual([false, true]);
    const rows = await server.ctx.db
      .selectFrom("device_events")
      .select("id")
      .where("device_id", "=", lockId)
      .where("type", "=", "test.event")
      .orderBy("seq")
      .execute();
    expect(rows.map((r) => r.id)).toEqual(["evt_a", "evt_b"]);
  });

  it("fails the callers of a batch that cannot be written, and goes on with the next", async () => {
    const writer = new DeviceReportWriter(server.ctx.db, server.ctx.storage.dialect);
    const invalid = { ...event("evt_c", 3), seq: Number.NaN };
    await expect(writer.event(invalid)).rejects.toThrow();
    await expect(writer.patch(lockId, { firmware: "after-failure" })).resolves.toBeUndefined();
    expect((await device()).firmware).toBe("after-failure");
  });

  it("stores all of hundreds of reports that arrive together (more than one insert statement)", async () => {
    const writer = new DeviceReportWriter(server.ctx.db, server.ctx.storage.dialect);
    const writes = Array.from({ length: 300 }, (_, i) => writer.event(event(`evt_bulk_${i}`, 100 + i)));
    expect((await Promise.all(writes)).every(Boolean)).toBe(true);
    await writer.idle();
    const { count } = await server.ctx.db
      .selectFrom("device_events")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .where("id", "like", "evt_bulk_%")
      .executeTakeFirstOrThrow();
    expect(Number(count)).toBe(300);
  });
});

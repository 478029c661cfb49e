import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type RunningDemo, startDemo } from "../src/demo/start-demo.js";

const DAY = 24 * 3_600_000;

/** A port the OS had free: the demo's devices keep the broker's address from pairing, so a restart must reuse it. */
async function freePort(): Promise<string> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return String(port);
}

/**
 * `npm start` twice on one data directory, in this process: the second start must show the same
 * demo (until issue 16 each start seeded four more shipments), with windows that have passed moved
 * to today. The camera has no ffmpeg here on purpose (FFMPEG_PATH points nowhere): the demo must
 * still start, and say so.
 */
describe("the demo started again on the same data", () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "threshold-demo-restart-"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    LOG_LEVEL: "silent",
    PUBLIC_URL: "",
    DATABASE_URL: "",
    MQTT_URL: "",
    FFMPEG_PATH: path.join(dataDir, "no-such-ffmpeg"),
  };
  let running: RunningDemo | undefined;
  beforeAll(async () => {
    env.PORT = await freePort();
    env.MQTT_PORT = await freePort();
  });
  const start = async () => {
    const lines: string[] = [];
    running = await startDemo(env, { log: (line) => lines.push(line) });
    return { demo: running, lines };
  };
  const stop = async () => {
    await running?.stop();
    running = undefined;
  };
  afterEach(stop);
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const shipmentRows = (demo: RunningDemo) =>
    demo.server.ctx.db
      .selectFrom("shipments")
      .select(["id", "tracking_number", "status", "window_start", "window_end"])
      .orderBy("tracking_number")
      .execute();

  it("seeds its shipments once, and says at start that the camera has no ffmpeg", async () => {
    const first = await start();
    expect(first.lines).toContain("Camera video: no ffmpeg: the porch camera films nothing (see NO CAMERA VIDEO)");
    expect(first.demo.banner).toContain(`NO CAMERA VIDEO: no ffmpeg found (FFMPEG_PATH is set to "${env.FFMPEG_PATH}"`);
    const seeded = await shipmentRows(first.demo);
    expect(seeded).toHaveLength(4);
    await stop();

    const second = await start();
    expect(await shipmentRows(second.demo)).toEqual(seeded);
    expect(second.demo.shipments).toEqual(first.demo.shipments);
    expect(second.lines.some((line) => line.startsWith("Moved the windows"))).toBe(false);
  }, 120_000);

  it("moves windows that have passed to today, keeping the same shipments", async () => {
    const before = await start();
    const seeded = await shipmentRows(before.demo);
    // As if the demo had been seeded yesterday: every window is a day earlier.
    for (const row of seeded) {
      await before.demo.server.ctx.db
        .updateTable("shipments")
        .set({ window_start: row.window_start - DAY, window_end: row.window_end - DAY })
        .where("id", "=", row.id)
        .execute();
    }
    await stop();

    const startedAt = Date.now();
    const after = await start();
    const now = Date.now();
    expect(after.lines).toContain("Moved the windows of 4 demo shipments to today.");
    const rows = await shipmentRows(after.demo);
    expect(rows.map((r) => r.id)).toEqual(seeded.map((r) => r.id));
    const byRole = after.demo.shipments;
    const windowOf = (id: string) => rows.find((r) => r.id === id) ?? expect.fail(`no shipment ${id}`);
    // Open now: the one to deliver, the trunk's and the locker's.
    for (const role of ["ready", "trunk", "locker"] as const) {
      const row = windowOf(byRole[role].id);
      expect(row.window_start).toBeLessThanOrEqual(startedAt);
      expect(row.window_start).toBeGreaterThanOrEqual(startedAt - 3_600_000);
      expect(row.window_end).toBeGreaterThan(now);
    }
    // Still later today, so its scan is refused as outside the window, as on the first day.
    const later = windowOf(byRole.later.id);
    expect(later.window_start).toBeGreaterThan(now);
    expect(later.window_start).toBeLessThanOrEqual(now + 3 * 3_600_000);
    const moves = await after.demo.server.ctx.db
      .selectFrom("audit_events")
      .select("subject_id")
      .where("type", "=", "shipment.rescheduled")
      .execute();
    expect(moves.map((m) => m.subject_id).sort()).toEqual(seeded.map((r) => r.id).sort());
  }, 120_000);
});

import { newId } from "@threshold/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../../test/databases.js";
import { type SignedInUser, signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { createHome, type TestHome } from "../../test/home.js";

interface FleetDevice {
  id: string;
  kind: string;
  name: string;
  siteName: string;
  online: boolean;
  battery: number | null;
  firmware: string;
  lastSeenAt: string | null;
  takeovers: { count: number; lastAt: string | null };
}

describe.each(TEST_DATABASES)("the operator's fleet on %s", (database) => {
  let server: TestServer;
  let home: TestHome;
  let operator: SignedInUser;
  const extra = { silent: "", stale: "", removed: "" };

  /** A device row written straight to storage, in states the agents do not easily reach. */
  async function insertDevice(name: string, values: { online: number; lastSeenAt: number | null; removed?: boolean }) {
    const now = server.ctx.clock.now();
    const id = newId("device", now);
    await server.ctx.db
      .insertInto("devices")
      .values({
        id,
        site_id: home.siteId,
        owner_id: home.recipient.id,
        kind: "camera",
        name,
        model: "test-camera",
        firmware: "0.9.1",
        public_key: "unused",
        secret_hash: "unused",
        trusted_kid: "unused",
        reported_state: JSON.stringify({ recording: false, streaming: false }),
        online: values.online,
        last_seen_at: values.lastSeenAt,
        paired_at: now,
        removed_at: values.removed ? now : null,
      })
      .execute();
    return id;
  }

  const fleet = async (query = "", cookie = operator.cookie) =>
    home.request("GET", `/v1/operator/devices${query}`, { cookie });

  beforeAll(async () => {
    server = await startTestServer({ database });
    home = await createHome(server);
    operator = await signInAs(server, "operator");
    extra.silent = await insertDevice("Garden camera", { online: 0, lastSeenAt: null });
    // Says it is connected but has not been heard from for an hour: offline all the same.
    extra.stale = await insertDevice("Side camera", { online: 1, lastSeenAt: server.ctx.clock.now() - 3_600_000 });
    extra.removed = await insertDevice("Old camera", { online: 0, lastSeenAt: null, removed: true });
  });
  afterAll(async () => {
    await home?.stop();
    await server?.destroy();
  });

  it("lists every active device with its site, liveness, battery and firmware, and counts them", async () => {
    const res = await fleet();
    expect(res.status).toBe(200);
    const devices = res.body.devices as FleetDevice[];
    expect(devices.map((d) => d.id)).toEqual([...devices.map((d) => d.id)].sort());
    expect(devices.map((d) => d.id)).not.toContain(extra.removed);
    const lock = devices.find((d) => d.kind === "lock");
    expect(lock).toMatchObject({
      name: "Front door lock",
      siteName: "Home",
      online: true,
      firmware: "threshold-sim/0.1.0",
    });
    expect(lock?.battery).toEqual(expect.any(Number));
    expect(lock?.takeovers).toEqual({ count: 0, lastAt: null });
    expect(devices.find((d) => d.name === "Porch camera")).toMatchObject({ online: true, battery: null });
    expect(devices.find((d) => d.id === extra.silent)).toMatchObject({ online: false, lastSeenAt: null });
    expect(devices.find((d) => d.id === extra.stale)).toMatchObject({ online: false });
    expect(res.body.counts).toEqual({ total: 4, online: 2, offline: 2 });
    expect(res.body.nextCursor).toBeNull();
  });

  it("filters by status and kind exactly as each row's own online flag says", async () => {
    const online = (await fleet("?status=online")).body;
    expect(online.devices.every((d: FleetDevice) => d.online)).toBe(true);
    expect(online.devices).toHaveLength(2);
    const offline = (await fleet("?status=offline")).body;
    expect(offline.devices.map((d: FleetDevice) => d.id).sort()).toEqual([extra.silent, extra.stale].sort());
    const cameras = (await fleet("?kind=camera")).body;
    expect(cameras.devices.every((d: FleetDevice) => d.kind === "camera")).toBe(true);
    expect(cameras.counts).toEqual({ total: 3, online: 1, offline: 2 });
    expect((await fleet("?kind=camera&status=online")).body.devices.map((d: FleetDevice) => d.name)).toEqual([
      "Porch camera",
    ]);
    expect((await fleet("?status=sleeping")).status).toBe(400);
    expect((await fleet("?kind=toaster")).status).toBe(400);
  });

  it("pages with limit and cursor in a stable order, and refuses a cursor it did not give", async () => {
    const all = ((await fleet()).body.devices as FleetDevice[]).map((d) => d.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { devices: FleetDevice[]; nextCursor: string | null } } = await fleet(
        `?limit=1${cursor ? `&cursor=${cursor}` : ""}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.devices).toHaveLength(1);
      seen.push(...page.body.devices.map((d) => d.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
    const bad = await fleet(`?cursor=${Buffer.from("usr_whatever").toString("base64url")}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("invalid_request");
    expect((await fleet("?limit=0")).status).toBe(400);
  });

  it("is for operators only", async () => {
    expect((await home.request("GET", "/v1/operator/devices")).status).toBe(401);
    expect((await fleet("", home.recipient.cookie)).status).toBe(403);
    expect((await fleet("", home.courier.cookie)).status).toBe(403);
    expect((await fleet("", (await signInAs(server, "carrier_admin")).cookie)).status).toBe(403);
  });
});

import { newId } from "@threshold/core";
import { sealPin } from "@threshold/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEventsAbout } from "../../test/audit.js";
import { TEST_DATABASES } from "../../test/databases.js";
import { type SignedInUser, signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { createHome, type TestHome } from "../../test/home.js";
import { until, untilDeviceOnline } from "../../test/wait.js";
import { lockSecret } from "../access-codes/lock-secret.js";
import { NO_END } from "./rules.js";
import { PENDING_PAUSE_NOTICE } from "./schemas.js";

/** The block switch pauses guest keys (docs/guest-keys.md#when-access-is-blocked). */
describe.each(TEST_DATABASES)("guest keys and the block switch on %s", (database) => {
  let server: TestServer;
  let home: TestHome;
  let stranger: SignedInUser;

  beforeAll(async () => {
    server = await startTestServer({ database });
    home = await createHome(server);
    stranger = await signInAs(server, "recipient");
  });
  afterAll(async () => {
    await home?.stop();
    await server?.destroy();
  });

  const give = (body: Record<string, unknown>) =>
    home.request("POST", `/v1/sites/${home.siteId}/guest-keys`, { cookie: home.recipient.cookie, body });
  const setBlock = (blocked: boolean, cookie = home.recipient.cookie) =>
    home.request("POST", blocked ? "/v1/access/block" : "/v1/access/unblock", {
      cookie,
      body: { siteId: home.siteId },
    });
  const keyOf = async (id: string) =>
    (await home.request("GET", `/v1/guest-keys/${id}`, { cookie: home.recipient.cookie })).body;
  const shared = (shareUrl: string) => home.request("GET", `/v1/shared-keys/${shareUrl.split("/k/")[1]}`);
  const keyRow = (id: string) =>
    server.ctx.db.selectFrom("guest_keys").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const auditOf = (id: string) => auditEventsAbout(server, id);
  /** Keys of the home that work, so far as Threshold knows: the block pauses them all, earlier tests' too. */
  const liveKeys = async () =>
    (await server.ctx.db.selectFrom("guest_keys").select("id").where("status", "=", "active").execute()).length;
  const liveKeysOwingRestore = () =>
    server.ctx.db
      .selectFrom("guest_keys")
      .select("id")
      .where("site_id", "=", home.siteId)
      .where("lock_change", "=", "restore")
      .where("paused_at", "is", null)
      .where("status", "=", "active")
      .execute();
  const lockOnline = (online: boolean) => untilDeviceOnline(server, home.lock.deviceId, online);
  const opens = async (pin: string) => {
    const verdict = await home.lock.enterCode(pin);
    if (verdict.result === "opened") home.lock.lockByHand();
    return verdict.result === "opened";
  };

  it("blocking pauses the keys: the lock forgets the PINs and the links say so; unblocking gives the same PINs back", async () => {
    const maria = (await give({ name: "Maria", kind: "permanent" })).body;
    const sitter = (await give({ name: "Sitter", kind: "expiring", expiresAfterFirstUseMinutes: 90 })).body;
    const gone = (await give({ name: "Gone", kind: "permanent" })).body;
    expect((await home.request("DELETE", `/v1/guest-keys/${gone.id}`, { cookie: home.recipient.cookie })).status).toBe(
      200,
    );
    expect(await opens(sitter.pin)).toBe(true);
    await until(async () => (await keyRow(sitter.id)).first_used_at !== null, 15_000, "the sitter's first use");

    // Someone else's block call cannot reach this home, and pauses nothing.
    expect((await setBlock(true, stranger.cookie)).status).toBe(404);
    expect((await keyRow(maria.id)).paused_at).toBeNull();

    const blocked = await setBlock(true);
    expect(blocked.status, JSON.stringify(blocked.body)).toBe(200);
    expect(blocked.body.sites).toEqual([
      expect.objectContaining({ siteId: home.siteId, blocked: true, guestKeysPaused: 2, guestKeysPending: 0 }),
    ]);
    expect(await opens(maria.pin)).toBe(false);
    expect(await opens(sitter.pin)).toBe(false);
    expect(await keyOf(maria.id)).toMatchObject({ status: "active", paused: true, worksNow: false, notice: null });
    expect(await keyOf(gone.id)).toMatchObject({ status: "revoked", paused: false });

    const link = await shared(maria.shareUrl);
    expect(link.status).toBe(409);
    expect(link.body.error.code).toBe("guest_key_paused");
    expect(JSON.stringify(link.body)).not.toContain(maria.pin);

    // No new key while blocked: it could not be set on the lock without opening a way in.
    const before = (await server.ctx.db.selectFrom("guest_keys").select("id").execute()).length;
    const refused = await give({ name: "During the block", kind: "permanent" });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("access_blocked");
    expect((await server.ctx.db.selectFrom("guest_keys").select("id").execute()).length).toBe(before);

    // Blocking again changes nothing and tells no lock anything.
    const commandsBefore = (await server.ctx.db.selectFrom("commands").select("id").execute()).length;
    expect((await setBlock(true)).body.sites[0]).toMatchObject({ blocked: true, guestKeysPaused: 2 });
    expect((await server.ctx.db.selectFrom("commands").select("id").execute()).length).toBe(commandsBefore);

    const unblocked = await setBlock(false);
    expect(unblocked.body.sites).toEqual([
      expect.objectContaining({ blocked: false, guestKeysPaused: 0, guestKeysPending: 0 }),
    ]);
    // The answer waits a few seconds for the locks; a slow one is counted as still restoring, and
    // its PIN opens once the lock has confirmed it (Threshold keeps trying).
    const restoring = unblocked.body.sites[0].guestKeysRestoring;
    expect(restoring).toBeGreaterThanOrEqual((await liveKeysOwingRestore()).length);
    await until(async () => (await liveKeysOwingRestore()).length === 0, 60_000, "the PINs back on the lock");
    expect(await opens(maria.pin)).toBe(true);
    expect(await keyOf(maria.id)).toMatchObject({ paused: false, worksNow: true, notice: null });
    expect((await shared(maria.shareUrl)).body).toMatchObject({ pin: maria.pin, worksNow: true });
    expect(await opens(gone.pin)).toBe(false);
    expect((await keyRow(gone.id)).paused_at).toBeNull();

    // Set again, the sitter's key keeps the end its first use gave it: the lock does not restart the countdown.
    const sitterRow = await keyRow(sitter.id);
    const restore = await server.ctx.db
      .selectFrom("commands")
      .select("params")
      .where("device_id", "=", home.lock.deviceId)
      .where("action", "=", "pin_set")
      .orderBy("issued_at", "desc")
      .execute();
    const params = restore.map((c) => JSON.parse(c.params) as { codeId: string; validUntil: number });
    expect(params.find((p) => p.codeId === sitter.id)?.validUntil).toBe(
      (sitterRow.first_used_at as number) + 90 * 60_000,
    );

    await until(async () => (await keyRow(maria.id)).use_count === 1, 15_000, "Maria's use recorded");
    expect((await auditOf(maria.id)).map((e) => e.type)).toEqual([
      "guest_key.setting",
      "guest_key.active",
      "guest_key.paused",
      "guest_key.lock_updated",
      "guest_key.resumed",
      "guest_key.lock_updated",
      "guest_key.used",
    ]);
  });

  it("a key revoked while paused stays ended when the block is lifted", async () => {
    const { id, pin } = (await give({ name: "Ex", kind: "permanent" })).body;
    await setBlock(true);
    const revoked = await home.request("DELETE", `/v1/guest-keys/${id}`, { cookie: home.recipient.cookie });
    expect(revoked.body).toMatchObject({ status: "revoked", revocation: "done", paused: false, notice: null });
    await setBlock(false);
    expect(await keyRow(id)).toMatchObject({ status: "revoked", paused_at: null, lock_change: null });
    expect(await opens(pin)).toBe(false);
    const types = (await auditOf(id)).map((e) => e.type);
    expect(types).toContain("guest_key.paused");
    expect(types).not.toContain("guest_key.resumed");
  });

  it("a lock that will not take the PIN back fails the key, with the lock's reason", async () => {
    const { id, pin } = (await give({ name: "Crowded out", kind: "permanent" })).body;
    const lock = await server.ctx.db
      .selectFrom("devices")
      .select(["id", "offline_secret"])
      .where("id", "=", home.lock.deviceId)
      .executeTakeFirstOrThrow();
    const squatter = newId("guestKey", server.ctx.clock.now());
    try {
      await setBlock(true);
      // While the key is off the lock, another user takes its PIN there: the lock refuses a second user with it.
      const taken = await server.ctx.commands.send(lock.id, "pin_set", {
        codeId: squatter,
        pinSealed: sealPin(lockSecret(server.ctx, lock) as Buffer, lock.id, squatter, pin),
        userType: "unrestricted",
        validFrom: 0,
        validUntil: NO_END,
      });
      expect((await taken.outcome).status).toBe("succeeded");
      await setBlock(false);
      expect(await keyOf(id)).toMatchObject({ status: "failed", paused: false, worksNow: false });
      expect(await keyRow(id)).toMatchObject({ failure_reason: "failed:bad_code", lock_change: null });
      expect((await auditOf(id)).map((e) => e.type)).toContain("guest_key.failed");
    } finally {
      await setBlock(false);
      await (await server.ctx.commands.send(lock.id, "pin_remove", { codeId: squatter })).outcome;
    }
  });

  it("a lock offline during the block keeps the PIN until it is back: said plainly, a use is flagged, then it is paused", async () => {
    const { id, pin } = (await give({ name: "Neighbour", kind: "permanent" })).body;
    await home.lock.stop();
    await lockOnline(false);
    try {
      const live = await liveKeys();
      const blocked = await setBlock(true);
      expect(blocked.body.sites[0]).toMatchObject({ blocked: true, guestKeysPaused: live, guestKeysPending: live });
      expect(await keyOf(id)).toMatchObject({ paused: true, worksNow: false, notice: PENDING_PAUSE_NOTICE });
      // The offline lock has not heard: the PIN still opens it, and the use is reported later.
      expect(await opens(pin)).toBe(true);
    } finally {
      await home.lock.start();
    }
    await until(async () => (await keyRow(id)).lock_change === null, 10_000, "the lock told of the pause");
    expect(await opens(pin)).toBe(false);
    await until(async () => (await keyRow(id)).use_count === 1, 15_000, "the offline use reconciled");
    expect((await auditOf(id)).find((e) => e.type === "guest_key.used")?.data).toMatchObject({
      whileBlocked: true,
      afterRevocation: false,
    });
    expect((await keyOf(id)).notice).toBeNull();
    await setBlock(false);
    await until(async () => (await keyRow(id)).lock_change === null, 60_000, "the PIN back on the lock");
    expect(await opens(pin)).toBe(true);
  });

  it("blocked and unblocked while the lock is away: the lock holds the PIN when it is back, and nothing is lost", async () => {
    const { id, pin } = (await give({ name: "Brother", kind: "permanent" })).body;
    await home.lock.stop();
    await lockOnline(false);
    try {
      const live = await liveKeys();
      expect((await setBlock(true)).body.sites[0]).toMatchObject({ guestKeysPending: live });
      expect((await setBlock(false)).body.sites[0]).toMatchObject({
        blocked: false,
        guestKeysPaused: 0,
        guestKeysRestoring: live,
      });
      expect(await keyRow(id)).toMatchObject({ paused_at: null, lock_change: "restore" });
    } finally {
      await home.lock.start();
    }
    await until(async () => (await keyRow(id)).lock_change === null, 10_000, "the lock given the key again");
    expect(await opens(pin)).toBe(true);
    expect(await keyOf(id)).toMatchObject({ status: "active", paused: false, worksNow: true });
  });
});

import { localTime } from "@threshold/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEventsAbout } from "../../test/audit.js";
import { TEST_DATABASES } from "../../test/databases.js";
import { type SignedInUser, signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { createHome, type TestHome } from "../../test/home.js";
import { openSse } from "../../test/sse.js";
import { until, untilDeviceOnline } from "../../test/wait.js";
import { createApiKey } from "../shipments/test-support/index.js";
import { GuestKeyWorker } from "./worker.js";

describe.each(TEST_DATABASES)("guest keys on %s", (database) => {
  let server: TestServer;
  let home: TestHome;
  let stranger: SignedInUser;
  let operator: SignedInUser;

  beforeAll(async () => {
    // Commands live 2 s here, so a lock that never answers fails quickly.
    server = await startTestServer({ database, env: { COMMAND_TTL_S: "2" } });
    home = await createHome(server);
    stranger = await signInAs(server, "recipient");
    operator = await signInAs(server, "operator");
  });
  afterAll(async () => {
    await home?.stop();
    await server?.destroy();
  });

  const give = (body: Record<string, unknown>, cookie = home.recipient.cookie, headers = {}) =>
    home.request("POST", `/v1/sites/${home.siteId}/guest-keys`, { cookie, body, headers });
  const revoke = (id: string, cookie = home.recipient.cookie) =>
    home.request("DELETE", `/v1/guest-keys/${id}`, { cookie });
  const shared = (shareUrl: string) => home.request("GET", `/v1/shared-keys/${shareUrl.split("/k/")[1]}`);
  const keyRow = (id: string) =>
    server.ctx.db.selectFrom("guest_keys").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const auditOf = (id: string) => auditEventsAbout(server, id);
  const typesOf = async (id: string) => (await auditOf(id)).map((e) => e.type);
  const lockOnline = (online: boolean) => untilDeviceOnline(server, home.lock.deviceId, online);

  it("a permanent key is set on the lock, shared by link, opens again and again, and tells the owner of each use", async () => {
    const stream = await openSse(`${server.url}/v1/events/stream`, { cookie: home.recipient.cookie });
    try {
      const res = await give({ name: "Maria (cleaner)", kind: "permanent" });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        name: "Maria (cleaner)",
        kind: "permanent",
        status: "active",
        accessPointId: home.accessPointId,
        validUntil: null,
        worksNow: true,
        useCount: 0,
        revocation: "none",
      });
      const { id, pin, shareUrl } = res.body as { id: string; pin: string; shareUrl: string };
      expect(pin).toMatch(/^[1-9]{6}$/);
      expect(shareUrl).toMatch(/\/k\/[A-Za-z0-9_-]{43}$/);

      // The link shows the guest the PIN and the place; nothing is cached.
      const link = await shared(shareUrl);
      expect(link.status).toBe(200);
      expect(link.headers.get("cache-control")).toBe("no-store");
      expect(link.body).toMatchObject({ name: "Maria (cleaner)", pin, kind: "permanent", worksNow: true });
      expect(link.body.place).toContain("Home");

      // Neither the PIN nor the link is in the audit log or the stored commands.
      const token = shareUrl.split("/k/")[1] as string;
      const audit = await server.ctx.db.selectFrom("audit_events").select("data").execute();
      expect(audit.some((row) => row.data.includes(pin) || row.data.includes(token))).toBe(false);
      const commands = await server.ctx.db.selectFrom("commands").select("params").execute();
      expect(commands.some((row) => row.params.includes(pin))).toBe(false);

      expect(await home.lock.enterCode(pin)).toMatchObject({ result: "opened", kind: "guest", codeId: id });
      home.lock.lockByHand();
      expect(await home.lock.enterCode(pin)).toMatchObject({ result: "opened", kind: "guest" });
      home.lock.lockByHand();
      await until(async () => (await keyRow(id)).use_count === 2, 15_000, "two uses recorded");

      // Each use reaches the owner's live stream at once.
      const uses: Record<string, unknown>[] = [];
      while (uses.length < 2) {
        const message = await stream.next(5_000);
        if (message.event === "guest_key.used") uses.push(JSON.parse(message.data));
      }
      expect(uses.map((e) => (e.data as { name: string }).name)).toEqual(["Maria (cleaner)", "Maria (cleaner)"]);
      expect(uses[1]).toMatchObject({
        subjectId: id,
        siteId: home.siteId,
        data: { useCount: 2, afterRevocation: false },
      });

      const listed = await home.request("GET", `/v1/sites/${home.siteId}/guest-keys`, {
        cookie: home.recipient.cookie,
      });
      expect(listed.body.guestKeys[0]).toMatchObject({ id, useCount: 2, status: "active" });
      expect(listed.body.guestKeys[0].lastUsedAt).not.toBeNull();
    } finally {
      stream.close();
    }
  });

  it("revoking takes the key off the online lock at once: the PIN stops working and the link says so", async () => {
    const { id, pin, shareUrl } = (await give({ name: "Dog walker", kind: "permanent" })).body;
    const revoked = await revoke(id);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ status: "revoked", revocation: "done", notice: null, worksNow: false });
    expect(await home.lock.enterCode(pin)).toMatchObject({ result: "refused" });
    const link = await shared(shareUrl);
    expect(link.status).toBe(410);
    expect(link.body.error.code).toBe("guest_key_ended");
    expect(link.body.error.message).toContain("revoked");
    expect(JSON.stringify(link.body)).not.toContain(pin);
    expect(await typesOf(id)).toEqual([
      "guest_key.setting",
      "guest_key.active",
      "guest_key.revoked",
      "guest_key.removed_from_lock",
    ]);
    // Revoking again answers the key as it is.
    expect((await revoke(id)).body).toMatchObject({ status: "revoked", revocation: "done" });
  });

  it("a revocation while the lock is offline is pending, said plainly, and completed when the lock is back", async () => {
    const { id, pin } = (await give({ name: "Neighbour", kind: "permanent" })).body;
    await home.lock.stop();
    await lockOnline(false);
    try {
      const revoked = await revoke(id);
      expect(revoked.body).toMatchObject({ status: "revoked", revocation: "pending" });
      expect(revoked.body.notice).toContain("still opens the door");
      // The offline lock has not heard: the PIN still opens it, and the use is reported later.
      expect(await home.lock.enterCode(pin)).toMatchObject({ result: "opened", kind: "guest" });
      home.lock.lockByHand();
    } finally {
      await home.lock.start();
    }
    await until(async () => (await keyRow(id)).removed_from_lock_at !== null, 10_000, "key removed from the lock");
    expect(await home.lock.enterCode(pin)).toMatchObject({ result: "refused" });
    await until(async () => (await keyRow(id)).use_count === 1, 15_000, "the offline use reconciled");
    const used = (await auditOf(id)).find((e) => e.type === "guest_key.used");
    expect(used?.data).toMatchObject({ afterRevocation: true });
    const after = await home.request("GET", `/v1/guest-keys/${id}`, { cookie: home.recipient.cookie });
    expect(after.body).toMatchObject({ revocation: "done", notice: null });
  });

  it("a one-time key opens once, is used up, and is taken off the lock", async () => {
    const { id, pin, shareUrl } = (await give({ name: "Plumber", kind: "one_time" })).body;
    expect(await home.lock.enterCode(pin)).toMatchObject({ result: "opened" });
    home.lock.lockByHand();
    expect(await home.lock.enterCode(pin)).toMatchObject({ result: "refused" });
    await until(async () => (await keyRow(id)).status === "used", 15_000, "key used");
    await until(async () => (await keyRow(id)).removed_from_lock_at !== null, 10_000, "key removed");
    expect((await shared(shareUrl)).body.error.message).toContain("used");
  });

  it("a temporary key opens only from its start; a recurring key only in its hours", async () => {
    const now = server.ctx.clock.now();
    const later = await give({
      name: "Guest next week",
      kind: "temporary",
      validFrom: new Date(now + 7 * 86_400_000).toISOString(),
      validUntil: new Date(now + 9 * 86_400_000).toISOString(),
    });
    expect(later.body).toMatchObject({ status: "active", worksNow: false });
    expect(await home.lock.enterCode(later.body.pin)).toMatchObject({ result: "not_now" });

    const everyDay = await give({
      name: "Family",
      kind: "recurring",
      weekDays: [1, 2, 3, 4, 5, 6, 7],
      startTime: "00:00",
      endTime: "24:00",
      timeZone: "UTC",
    });
    expect(everyDay.body).toMatchObject({
      worksNow: true,
      schedule: { weekDays: [1, 2, 3, 4, 5, 6, 7], startTime: "00:00", endTime: "24:00", timeZone: "UTC" },
    });
    expect(await home.lock.enterCode(everyDay.body.pin)).toMatchObject({ result: "opened" });
    home.lock.lockByHand();

    // Not today and not tomorrow (so midnight passing during the test changes nothing).
    const today = localTime(now, "UTC").weekday;
    const otherDays = [1, 2, 3, 4, 5, 6, 7].filter((d) => d !== today && d !== (today % 7) + 1);
    const notToday = await give({
      name: "Gardener",
      kind: "recurring",
      weekDays: otherDays,
      startTime: "08:00",
      endTime: "17:00",
    });
    expect(notToday.body).toMatchObject({ status: "active", worksNow: false });
    expect(await home.lock.enterCode(notToday.body.pin)).toMatchObject({ result: "not_now" });
  });

  it("a recurring key typed outside its hours answers not now on the lock, and never counts towards the lockout", async () => {
    const now = server.ctx.clock.now();
    const today = localTime(now, "UTC").weekday;
    const otherDays = [1, 2, 3, 4, 5, 6, 7].filter((d) => d !== today && d !== (today % 7) + 1);
    const gardener = await give({
      name: "Gardener, not today",
      kind: "recurring",
      weekDays: otherDays,
      startTime: "08:00",
      endTime: "17:00",
      timeZone: "UTC",
    });
    expect(gardener.body).toMatchObject({ status: "active", worksNow: false });
    const before = await home.lock.enterCode("00000000");
    if (before.result !== "refused") throw new Error(`a wrong code was ${before.result}`);
    // More tries than the lockout allows (5): each is a known PIN at the wrong time, not a guess.
    for (let i = 0; i < 6; i++) {
      expect(await home.lock.enterCode(gardener.body.pin)).toEqual({ result: "not_now", codeId: gardener.body.id });
    }
    expect(home.lock.state).toMatchObject({ lock: "locked", lockedOut: false });
    // The count was not touched: the next wrong code is the one after the wrong code before.
    expect(await home.lock.enterCode("00000000")).toMatchObject({
      result: "refused",
      wrongInARow: before.wrongInARow + 1,
    });
    await revoke(gardener.body.id);
  });

  it("an expiring key's countdown starts at its first use, and the worker ends it when it runs out", async () => {
    const { id, pin } = (await give({ name: "Babysitter", kind: "expiring", expiresAfterFirstUseMinutes: 90 })).body;
    expect(await home.lock.enterCode(pin)).toMatchObject({ result: "opened" });
    home.lock.lockByHand();
    await until(async () => (await keyRow(id)).first_used_at !== null, 15_000, "first use recorded");
    const row = await keyRow(id);
    const shown = await home.request("GET", `/v1/guest-keys/${id}`, { cookie: home.recipient.cookie });
    expect(Date.parse(shown.body.expiresAt)).toBe((row.first_used_at as number) + 90 * 60_000);

    // As if the 90 minutes had passed: the worker (every server process runs one) ends it.
    await server.ctx.db
      .updateTable("guest_keys")
      .set({ first_used_at: server.ctx.clock.now() - 91 * 60_000 })
      .where("id", "=", id)
      .execute();
    const worker = new GuestKeyWorker(server.ctx);
    await worker.tick();
    await worker.idle();
    expect((await keyRow(id)).status).toBe("expired");
    expect(await typesOf(id)).toContain("guest_key.expired");
  });

  it("a key for an offline lock fails at once, with the reason, and never shows as working", async () => {
    await home.lock.stop();
    await lockOnline(false);
    try {
      const res = await give({ name: "Too early", kind: "permanent" });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ status: "failed", worksNow: false });
      expect(res.body.failureReason).toMatch(/^timed_out/);
      expect((await shared(res.body.shareUrl)).status).toBe(410);
    } finally {
      await home.lock.start();
      await lockOnline(true);
    }
  });

  it("one Idempotency-Key gives one key and one command to the lock", async () => {
    const headers = { "idempotency-key": `guest-${Date.now()}` };
    const [a, b] = await Promise.all([
      give({ name: "Twice", kind: "permanent" }, home.recipient.cookie, headers),
      give({ name: "Twice", kind: "permanent" }, home.recipient.cookie, headers),
    ]);
    expect(a.body.id).toBe(b.body.id);
    const rows = await server.ctx.db.selectFrom("guest_keys").select("id").where("name", "=", "Twice").execute();
    expect(rows).toHaveLength(1);
  });

  it("refuses rules that do not fit the kind, and bad input, changing nothing", async () => {
    const before = (await server.ctx.db.selectFrom("guest_keys").select("id").execute()).length;
    const cases: [Record<string, unknown>, number, string][] = [
      [{ name: "x", kind: "forever" }, 400, "invalid_request"],
      [{ name: "", kind: "permanent" }, 400, "invalid_request"],
      [{ name: "x", kind: "permanent", weekDays: [1] }, 400, "invalid_request"],
      [{ name: "x", kind: "temporary" }, 400, "invalid_request"],
      [{ name: "x", kind: "expiring" }, 400, "invalid_request"],
      [{ name: "x", kind: "permanent", expiresAfterFirstUseMinutes: 5 }, 400, "invalid_request"],
      [{ name: "x", kind: "recurring", weekDays: [1], startTime: "17:00", endTime: "09:00" }, 400, "invalid_request"],
      [{ name: "x", kind: "recurring", weekDays: [8], startTime: "09:00", endTime: "17:00" }, 400, "invalid_request"],
      [{ name: "x", kind: "recurring", weekDays: [1], startTime: "9am", endTime: "17:00" }, 400, "invalid_request"],
      [
        { name: "x", kind: "recurring", weekDays: [1], startTime: "09:00", endTime: "17:00", timeZone: "Mars/Base" },
        400,
        "invalid_request",
      ],
      [{ name: "x", kind: "temporary", validUntil: "2020-01-01T00:00:00Z" }, 400, "invalid_window"],
      [{ name: "x", kind: "permanent", accessPointId: "acp_00000000000000000000000000" }, 404, "not_found"],
      [{ name: "x", kind: "permanent", extra: true }, 400, "invalid_request"],
    ];
    for (const [body, status, code] of cases) {
      const res = await give(body);
      expect({ body, status: res.status, code: res.body.error?.code }).toEqual({ body, status, code });
    }
    const malformed = await home.request("POST", `/v1/sites/${home.siteId}/guest-keys`, {
      cookie: home.recipient.cookie,
      rawBody: "{not json",
    });
    expect(malformed.body.error.code).toBe("invalid_json");
    expect((await home.request("GET", "/v1/shared-keys/short")).status).toBe(400);
    const unknown = await home.request("GET", `/v1/shared-keys/${"A".repeat(43)}`);
    expect(unknown.status).toBe(404);
    expect((await server.ctx.db.selectFrom("guest_keys").select("id").execute()).length).toBe(before);
  });

  it("is the owner's alone: others get 404, operators look without the PIN, API keys and anonymous callers are refused", async () => {
    const { id } = (await give({ name: "Private", kind: "permanent" })).body;
    const sitePath = `/v1/sites/${home.siteId}/guest-keys`;

    // Another recipient: the site and the key do not exist for them.
    expect((await give({ name: "Mine now", kind: "permanent" }, stranger.cookie)).status).toBe(404);
    expect((await home.request("GET", sitePath, { cookie: stranger.cookie })).status).toBe(404);
    expect((await home.request("GET", `/v1/guest-keys/${id}`, { cookie: stranger.cookie })).status).toBe(404);
    expect((await revoke(id, stranger.cookie)).status).toBe(404);
    // The courier of the home's deliveries has no business with its guest keys either.
    expect((await home.request("GET", `/v1/guest-keys/${id}`, { cookie: home.courier.cookie })).status).toBe(404);

    // Operators see states, never the PIN or the link, and cannot revoke or give.
    const byOperator = await home.request("GET", `/v1/guest-keys/${id}`, { cookie: operator.cookie });
    expect(byOperator.status).toBe(200);
    expect(byOperator.body.pin).toBeUndefined();
    expect(byOperator.body.shareUrl).toBeUndefined();
    const listed = await home.request("GET", sitePath, { cookie: operator.cookie });
    expect(listed.body.guestKeys.every((k: { pin?: string }) => k.pin === undefined)).toBe(true);
    expect((await revoke(id, operator.cookie)).status).toBe(403);
    expect((await give({ name: "Ops", kind: "permanent" }, operator.cookie)).status).toBe(403);

    // A carrier's API key acts for a carrier, which has nothing to do with a home's guests.
    const admin = await signInAs(server, "carrier_admin", { carrierId: home.carrierId });
    const apiKey = await createApiKey(home.request, admin, ["shipments:read", "shipments:write"]);
    expect((await home.request("GET", sitePath, { bearer: apiKey })).status).toBe(403);
    expect((await home.request("GET", sitePath)).status).toBe(401);
    expect((await home.request("DELETE", `/v1/guest-keys/${id}`)).status).toBe(401);
    expect((await keyRow(id)).status).toBe("active");
  });
});

import { ManualClock } from "@threshold/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../../test/databases.js";
import { signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { type ApiRequest, apiClient } from "../../test/http.js";
import { createSite } from "../../test/pairing.js";
import { auditEventsOf, createApiKey, iso } from "../shipments/test-support/index.js";

/** No codes at these sites: nothing withdrawn, nothing the block could not stop. */
const NO_CODES = { accessCodesWithdrawn: 0, accessCodesPending: 0, offlineCodesOutstanding: 0 };

describe.each(TEST_DATABASES)("blocking access on %s", (database) => {
  const clock = new ManualClock();
  let server: TestServer;
  let request: ApiRequest;

  beforeAll(async () => {
    server = await startTestServer({ database, clock });
    request = apiClient(server.url);
  });
  afterAll(() => server.destroy());

  const blockedAt = async (siteId: string) =>
    (
      await server.ctx.db
        .selectFrom("sites")
        .select("access_blocked_at")
        .where("id", "=", siteId)
        .executeTakeFirstOrThrow()
    ).access_blocked_at;

  // Only the block's own events: other modules record facts about sites too.
  const eventTypes = async (siteId: string) => (await auditEventsOf(server, siteId, "access.")).map((e) => e.type);

  it("blocks all the recipient's sites at once and unblocks them; repeats change and record nothing", async () => {
    const alice = await signInAs(server, "recipient");
    const bob = await signInAs(server, "recipient");
    const home = await createSite(request, alice, "Home");
    clock.advance(1); // Sites are listed oldest first.
    const cabin = await createSite(request, alice, "Cabin");
    const bobs = await createSite(request, bob, "Bob's");

    // No body at all means every site.
    const blocked = await request("POST", "/v1/access/block", { cookie: alice.cookie });
    expect(blocked.status).toBe(200);
    const at = iso(clock.now());
    expect(blocked.body).toEqual({
      sites: [
        {
          siteId: home.id,
          blocked: true,
          blockedAt: at,
          guestKeysPaused: 0,
          guestKeysPending: 0,
          guestKeysRestoring: 0,
          ...NO_CODES,
        },
        {
          siteId: cabin.id,
          blocked: true,
          blockedAt: at,
          guestKeysPaused: 0,
          guestKeysPending: 0,
          guestKeysRestoring: 0,
          ...NO_CODES,
        },
      ],
    });
    expect(await blockedAt(home.id)).toBe(clock.now());
    expect(await blockedAt(bobs.id)).toBeNull();

    const events = await auditEventsOf(server, home.id, "access.");
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: "access.blocked",
      subject_type: "site",
      site_id: home.id,
      actor_type: "user",
      actor_id: alice.id,
    });
    expect(await eventTypes(cabin.id)).toEqual(["access.blocked"]);

    clock.advance(60_000);
    const again = await request("POST", "/v1/access/block", { cookie: alice.cookie, body: {} });
    expect(again.status).toBe(200);
    expect(again.body.sites.map((s: { blockedAt: string }) => s.blockedAt)).toEqual([at, at]);
    expect(await eventTypes(home.id)).toEqual(["access.blocked"]);

    const unblocked = await request("POST", "/v1/access/unblock", { cookie: alice.cookie, body: {} });
    expect(unblocked.status).toBe(200);
    expect(unblocked.body.sites).toEqual([
      {
        siteId: home.id,
        blocked: false,
        blockedAt: null,
        guestKeysPaused: 0,
        guestKeysPending: 0,
        guestKeysRestoring: 0,
        ...NO_CODES,
      },
      {
        siteId: cabin.id,
        blocked: false,
        blockedAt: null,
        guestKeysPaused: 0,
        guestKeysPending: 0,
        guestKeysRestoring: 0,
        ...NO_CODES,
      },
    ]);
    expect(await blockedAt(home.id)).toBeNull();
    expect(await eventTypes(home.id)).toEqual(["access.blocked", "access.unblocked"]);
    expect(await eventTypes(cabin.id)).toEqual(["access.blocked", "access.unblocked"]);
    await request("POST", "/v1/access/unblock", { cookie: alice.cookie });
    expect(await eventTypes(home.id)).toEqual(["access.blocked", "access.unblocked"]);
  });

  it("blocks and unblocks one site when given its id", async () => {
    const alice = await signInAs(server, "recipient");
    const home = await createSite(request, alice, "Home");
    const cabin = await createSite(request, alice, "Cabin");
    const res = await request("POST", "/v1/access/block", { cookie: alice.cookie, body: { siteId: cabin.id } });
    expect(res.status).toBe(200);
    expect(res.body.sites).toEqual([
      {
        siteId: cabin.id,
        blocked: true,
        blockedAt: iso(clock.now()),
        guestKeysPaused: 0,
        guestKeysPending: 0,
        guestKeysRestoring: 0,
        ...NO_CODES,
      },
    ]);
    expect(await blockedAt(cabin.id)).toBe(clock.now());
    expect(await blockedAt(home.id)).toBeNull();

    await request("POST", "/v1/access/block", { cookie: alice.cookie });
    const one = await request("POST", "/v1/access/unblock", { cookie: alice.cookie, body: { siteId: home.id } });
    expect(one.body.sites).toEqual([
      {
        siteId: home.id,
        blocked: false,
        blockedAt: null,
        guestKeysPaused: 0,
        guestKeysPending: 0,
        guestKeysRestoring: 0,
        ...NO_CODES,
      },
    ]);
    expect(await blockedAt(cabin.id)).not.toBeNull();
  });

  it("answers someone else's site and an unknown site with 404, and changes nothing", async () => {
    const alice = await signInAs(server, "recipient");
    const bob = await signInAs(server, "recipient");
    await createSite(request, alice, "Home");
    const bobs = await createSite(request, bob, "Bob's");
    for (const path of ["/v1/access/block", "/v1/access/unblock"]) {
      const theirs = await request("POST", path, { cookie: alice.cookie, body: { siteId: bobs.id } });
      expect(theirs.status).toBe(404);
      expect(theirs.body.error.code).toBe("not_found");
      const missing = await request("POST", path, { cookie: alice.cookie, body: { siteId: `sit_${"0".repeat(26)}` } });
      expect(missing.status).toBe(404);
      expect(missing.body.error.message).toBe(theirs.body.error.message);
    }
    expect(await blockedAt(bobs.id)).toBeNull();
    expect(await eventTypes(bobs.id)).toEqual([]);
  });

  it("answers a recipient without sites with an empty list", async () => {
    const carol = await signInAs(server, "recipient");
    const res = await request("POST", "/v1/access/block", { cookie: carol.cookie });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sites: [] });
  });

  it("is for recipients only, and refuses bad input with 400", async () => {
    const alice = await signInAs(server, "recipient");
    const home = await createSite(request, alice, "Home");
    for (const role of ["courier", "carrier_admin", "operator", "manager"] as const) {
      const user = await signInAs(server, role);
      const res = await request("POST", "/v1/access/block", { cookie: user.cookie, body: {} });
      expect(res.status, role).toBe(403);
    }
    const admin = await signInAs(server, "carrier_admin");
    const key = await createApiKey(request, admin, ["shipments:write"]);
    expect((await request("POST", "/v1/access/block", { bearer: key, body: {} })).status).toBe(403);
    expect((await request("POST", "/v1/access/block", { body: {} })).status).toBe(401);
    for (const body of [{ siteId: "sit_nope" }, { siteId: 5 }, { siteId: home.id, all: true }, [home.id], "home"]) {
      const res = await request("POST", "/v1/access/block", { cookie: alice.cookie, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    const raw = await request("POST", "/v1/access/unblock", { cookie: alice.cookie, rawBody: "{" });
    expect(raw.status).toBe(400);
    expect(await blockedAt(home.id)).toBeNull();
  });
});

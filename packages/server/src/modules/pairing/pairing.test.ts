import { ManualClock } from "@threshold/core";
import { exportPublicKey, generateEd25519, importPublicKey } from "@threshold/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEventsAbout } from "../../test/audit.js";
import { TEST_DATABASES } from "../../test/databases.js";
import { connectAsDevice } from "../../test/devices.js";
import { type SignedInUser, signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { type ApiRequest, apiClient } from "../../test/http.js";
import { createSite, requestPairing } from "../../test/pairing.js";
import { secretMatches } from "../auth/tokens.js";

const CODE = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;

describe.each(TEST_DATABASES)("pairing on %s", (database) => {
  const clock = new ManualClock();
  let server: TestServer;
  let request: ApiRequest;
  let alice: SignedInUser;
  let bob: SignedInUser;
  let aliceSite: string;
  let bobSite: string;

  beforeAll(async () => {
    server = await startTestServer({ database, clock });
    request = apiClient(server.url);
    alice = await signInAs(server, "recipient");
    bob = await signInAs(server, "recipient");
    aliceSite = (await createSite(request, alice)).id;
    bobSite = (await createSite(request, bob)).id;
  });
  afterAll(() => server.destroy());

  it("pairs a device end to end and hands out its credentials exactly once", async () => {
    const keys = generateEd25519();
    const publicKey = exportPublicKey(keys.publicKey);
    const asked = await request("POST", "/v1/pairing-requests", {
      body: { kind: "lock", publicKey, model: "Nuki 4", firmware: "4.1.0" },
    });
    expect(asked.status).toBe(201);
    expect(asked.body).toEqual({
      id: expect.stringMatching(/^pai_/),
      code: expect.stringMatching(CODE),
      pollToken: expect.any(String),
      expiresAt: new Date(clock.now() + server.config.pairingTtlMs).toISOString(),
      pollIntervalMs: 1000,
    });
    const { id, code, pollToken } = asked.body;

    // Neither the code nor the token is stored in the clear.
    const row = await server.ctx.db.selectFrom("pairing_requests").selectAll().where("id", "=", id).executeTakeFirst();
    expect(row?.code_hash).not.toContain(code.replace("-", ""));
    expect(secretMatches(pollToken, row?.poll_token_hash ?? "")).toBe(true);

    const pending = await request("GET", `/v1/pairing-requests/${id}`, { bearer: pollToken });
    expect(pending.status).toBe(200);
    expect(pending.body).toEqual({ status: "pending", expiresAt: asked.body.expiresAt });

    // The owner types the code sloppily: lower case, no dash, spaces around.
    const claimed = await request("POST", `/v1/sites/${aliceSite}/devices`, {
      cookie: alice.cookie,
      body: { pairingCode: ` ${code.toLowerCase().replace("-", " ")} `, name: "Front door lock" },
    });
    expect(claimed.status, JSON.stringify(claimed.body)).toBe(201);
    expect(claimed.body).toMatchObject({
      id: expect.stringMatching(/^dev_/),
      siteId: aliceSite,
      kind: "lock",
      name: "Front door lock",
      model: "Nuki 4",
      firmware: "4.1.0",
      online: false,
      lastSeenAt: null,
      reportedState: null,
      trustedKid: server.ctx.keyring.currentKid,
      pairedAt: new Date(clock.now()).toISOString(),
    });
    const deviceId = claimed.body.id;

    const paired = await request("GET", `/v1/pairing-requests/${id}`, { bearer: pollToken });
    expect(paired.status).toBe(200);
    expect(paired.body).toEqual({
      status: "paired",
      device: { id: deviceId, siteId: aliceSite, name: "Front door lock" },
      mqtt: { url: server.ctx.mqttUrl, username: deviceId, password: expect.any(String) },
      serverKeys: server.ctx.keyring.trustedByDevices(),
      currentKid: server.ctx.keyring.currentKid,
      offlineSecret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    for (const key of paired.body.serverKeys) expect(() => importPublicKey(key.publicKey)).not.toThrow();
    // The pairing secret for offline codes is kept sealed by the server, never in clear.
    const stored = await server.ctx.db
      .selectFrom("devices")
      .select("offline_secret")
      .where("id", "=", deviceId)
      .executeTakeFirstOrThrow();
    expect(stored.offline_secret).toMatch(/^sb1\./);
    expect(stored.offline_secret).not.toContain(paired.body.offlineSecret);

    // Once only: the credentials are wiped from storage and a second poll finds nothing.
    const again = await request("GET", `/v1/pairing-requests/${id}`, { bearer: pollToken });
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe("not_found");
    const after = await server.ctx.db
      .selectFrom("pairing_requests")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    expect(after).toMatchObject({ status: "collected", credentials: null, device_id: deviceId });

    // The stored device is the one that asked, and its password works on the broker.
    const device = await server.ctx.db.selectFrom("devices").selectAll().where("id", "=", deviceId).executeTakeFirst();
    expect(device).toMatchObject({ public_key: publicKey, owner_id: alice.id, site_id: aliceSite });
    expect(secretMatches(paired.body.mqtt.password, device?.secret_hash ?? "")).toBe(true);
    const client = await connectAsDevice(server.ctx.mqttUrl, { id: deviceId, password: paired.body.mqtt.password });
    await client.endAsync();

    // The code is used up.
    const reuse = await request("POST", `/v1/sites/${aliceSite}/devices`, {
      cookie: alice.cookie,
      body: { pairingCode: code, name: "Again" },
    });
    expect(reuse.status).toBe(404);
    expect(reuse.body.error.code).toBe("pairing_code_invalid");

    // One event, at the site, by its owner: who paired which key there (no credentials).
    const events = await auditEventsAbout(server, deviceId);
    expect(events).toMatchObject([
      {
        type: "device.paired",
        subjectType: "device",
        siteId: aliceSite,
        actorType: "user",
        actorId: alice.id,
        data: {
          kind: "lock",
          name: "Front door lock",
          model: "Nuki 4",
          firmware: "4.1.0",
          publicKey,
          pairingRequestId: id,
        },
      },
    ]);
    expect(JSON.stringify(events)).not.toContain(paired.body.mqtt.password);
  });

  it("answers a poll with a wrong or missing token like an unknown request", async () => {
    const asks = await requestPairing(request, "camera");
    const wrong = await request("GET", `/v1/pairing-requests/${asks.id}`, { bearer: "x".repeat(43) });
    expect(wrong.status).toBe(404);
    expect(wrong.body.error.code).toBe("not_found");
    const unknown = await request("GET", `/v1/pairing-requests/pai_${"0".repeat(26)}`, { bearer: asks.pollToken });
    expect(unknown.status).toBe(404);
    const missing = await request("GET", `/v1/pairing-requests/${asks.id}`);
    expect(missing.status).toBe(401);
    // A garbage id never reaches the database.
    const garbage = await request("GET", "/v1/pairing-requests/pai_'%20or%201=1", { bearer: asks.pollToken });
    expect(garbage.status).toBe(400);
    // An API key in that header is not mistaken for one: it is just a wrong poll token.
    const apiKeyLike = await request("GET", `/v1/pairing-requests/${asks.id}`, {
      bearer: `thk_key_${"0".repeat(26)}_${"a".repeat(43)}`,
    });
    expect(apiKeyLike.status).toBe(404);
  });

  it("refuses an expired code, and stops answering the device's polls", async () => {
    const asks = await requestPairing(request, "lock");
    clock.advance(server.config.pairingTtlMs);
    const claim = await request("POST", `/v1/sites/${aliceSite}/devices`, {
      cookie: alice.cookie,
      body: { pairingCode: asks.code, name: "Too late" },
    });
    expect(claim.status).toBe(404);
    expect(claim.body.error).toMatchObject({ code: "pairing_code_invalid" });
    expect(claim.body.error.message).toMatch(/check the code on the device, or restart pairing there/);
    const poll = await request("GET", `/v1/pairing-requests/${asks.id}`, { bearer: asks.pollToken });
    expect(poll.status).toBe(404);
  });

  it("refuses wrong codes, and codes that are not codes at all", async () => {
    for (const pairingCode of ["ZZZZ-ZZZZ", "ABC", "!!!!-!!!!", "ABCD-EFGH-IJKL"]) {
      const res = await request("POST", `/v1/sites/${aliceSite}/devices`, {
        cookie: alice.cookie,
        body: { pairingCode, name: "Nope" },
      });
      expect(res.status, pairingCode).toBe(404);
      expect(res.body.error.code).toBe("pairing_code_invalid");
    }
  });

  it("lets no one claim a device into someone else's site", async () => {
    const asks = await requestPairing(request, "lock");
    const res = await request("POST", `/v1/sites/${bobSite}/devices`, {
      cookie: alice.cookie,
      body: { pairingCode: asks.code, name: "Sneaky" },
    });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
    // The code is still good for its rightful owner.
    const own = await request("POST", `/v1/sites/${bobSite}/devices`, {
      cookie: bob.cookie,
      body: { pairingCode: asks.code, name: "Bob's lock" },
    });
    expect(own.status).toBe(201);
    // Operators may look, not pair.
    const operator = await signInAs(server, "operator");
    const byOperator = await request("POST", `/v1/sites/${bobSite}/devices`, {
      cookie: operator.cookie,
      body: { pairingCode: asks.code, name: "Operator's" },
    });
    expect(byOperator.status).toBe(403);
    // Unauthenticated and garbage site ids.
    const anonymous = await request("POST", `/v1/sites/${bobSite}/devices`, { body: { pairingCode: "x", name: "y" } });
    expect(anonymous.status).toBe(401);
    const garbage = await request("POST", "/v1/sites/sit_nope/devices", {
      cookie: alice.cookie,
      body: { pairingCode: asks.code, name: "x" },
    });
    expect(garbage.status).toBe(400);
  });

  it("rejects malformed pairing requests", async () => {
    const good = { kind: "lock", publicKey: exportPublicKey(generateEd25519().publicKey), model: "m", firmware: "1" };
    // The last base64url character of a 32-byte key carries 4 bits; setting the spare 2 makes it non-canonical.
    const canonicalLast = good.publicKey.at(-1) as string;
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const nonCanonical = good.publicKey.slice(0, 42) + alphabet[alphabet.indexOf(canonicalLast) + 1];
    const bodies = [
      { ...good, publicKey: "not-a-key" },
      { ...good, publicKey: nonCanonical },
      { ...good, kind: "toaster" },
      { ...good, model: "m".repeat(65) },
      { ...good, firmware: "1".repeat(33) },
      { ...good, model: "evil\nline" },
      { ...good, extra: true },
      { kind: "lock" },
    ];
    for (const body of bodies) {
      const res = await request("POST", "/v1/pairing-requests", { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
  });

  it("publishes the server's public keys to anyone", async () => {
    const res = await request("GET", "/v1/keys");
    expect(res.status).toBe(200);
    expect(res.body.keys).toEqual(
      server.ctx.keyring.publicKeys().map((key) => ({
        kid: key.kid,
        publicKey: key.publicKey,
        createdAt: new Date(key.createdAt).toISOString(),
        retiredAt: null,
      })),
    );
    expect(res.body.keys.map((k: { kid: string }) => k.kid)).toContain(server.ctx.keyring.currentKid);
  });
});

describe.each(TEST_DATABASES)("pairing limits on %s", (database) => {
  const clock = new ManualClock();
  let server: TestServer;
  let request: ApiRequest;

  beforeAll(async () => {
    server = await startTestServer({ database, clock });
    request = apiClient(server.url);
  });
  afterAll(() => server.destroy());

  it("limits wrong codes per user, even when the right one follows, until the window passes", async () => {
    const mallory = await signInAs(server, "recipient");
    const site = (await createSite(request, mallory)).id;
    const asks = await requestPairing(request, "lock");
    const claim = (pairingCode: string) =>
      request("POST", `/v1/sites/${site}/devices`, { cookie: mallory.cookie, body: { pairingCode, name: "Lock" } });

    const guesses = await Promise.all(Array.from({ length: 12 }, (_, i) => claim(`ZZZZ-ZZ${i < 10 ? "0" : ""}${i}`)));
    const statuses = guesses.map((g) => g.status).sort();
    expect(statuses.filter((s) => s === 404)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);

    const right = await claim(asks.code);
    expect(right.status).toBe(429);
    expect(right.body.error.code).toBe("rate_limited");
    expect(Number(right.headers.get("retry-after"))).toBeGreaterThan(0);

    // Someone else is not affected.
    const other = await signInAs(server, "recipient");
    const otherSite = (await createSite(request, other)).id;
    const otherTry = await request("POST", `/v1/sites/${otherSite}/devices`, {
      cookie: other.cookie,
      body: { pairingCode: "ZZZZ-ZZZZ", name: "x" },
    });
    expect(otherTry.status).toBe(404);

    clock.advance(5 * 60_000);
    const fresh = await requestPairing(request, "lock");
    clock.advance(5 * 60_000);
    expect((await claim(fresh.code)).status).toBe(201);
  });

  it("limits pairing requests per address", async () => {
    clock.advance(60_000);
    const body = { kind: "camera", publicKey: exportPublicKey(generateEd25519().publicKey), model: "m", firmware: "1" };
    const results = await Promise.all(
      Array.from({ length: 31 }, () => request("POST", "/v1/pairing-requests", { body })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(30);
    const refused = results.find((r) => r.status === 429);
    expect(refused?.body.error.code).toBe("rate_limited");
    expect(refused?.headers.get("retry-after")).toBeTruthy();
    clock.advance(60_000);
    expect((await request("POST", "/v1/pairing-requests", { body })).status).toBe(201);
  });
});

import { exportPublicKey, generateEd25519, importPrivateKeyPem } from "@threshold/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { identityProblems } from "./identity.js";
import { pairDevice } from "./pairing-client.js";
import { FakePairingServer } from "./test-support/fake-pairing-server.js";

const serverKey = { kid: "k1", publicKey: exportPublicKey(generateEd25519().publicKey) };
let server: FakePairingServer;

beforeEach(async () => {
  server = await FakePairingServer.start({
    brokerUrl: "mqtt://127.0.0.1:1",
    serverKeys: [serverKey],
    currentKid: "k1",
    pollIntervalMs: 50,
  });
});
afterEach(() => server.close());

const device = { kind: "lock", name: "front-door", model: "sim-lock", firmware: "1.2.3" } as const;

describe("pairDevice", () => {
  it("requests a code, shows it, polls until it is entered and returns a complete identity", async () => {
    const shown: { code: string; expiresAt: Date }[] = [];
    let deviceId = "";
    const identity = await pairDevice({
      ...device,
      serverUrl: `${server.url}/`,
      onCode: (code, expiresAt) => {
        shown.push({ code, expiresAt });
        // The owner types the code only once the device has asked and heard "pending".
        void vi
          .waitFor(() => expect(server.pollAuthorizations.length).toBeGreaterThanOrEqual(1), { timeout: 30_000 })
          .then(() => {
            deviceId = server.claim(code);
          });
      },
    });

    const [request] = server.requests;
    expect(shown).toEqual([{ code: request?.code, expiresAt: new Date(request?.expiresAt ?? 0) }]);
    expect(request?.body).toEqual({
      kind: "lock",
      publicKey: identity.publicKey,
      model: "sim-lock",
      firmware: "1.2.3",
    });
    expect(server.pollAuthorizations.length).toBeGreaterThanOrEqual(2);
    expect(new Set(server.pollAuthorizations)).toEqual(new Set([`Bearer ${request?.pollToken}`]));

    expect(identity).toMatchObject({
      deviceId,
      kind: "lock",
      name: "front-door",
      mqtt: { url: "mqtt://127.0.0.1:1", username: deviceId },
      serverKeys: [serverKey],
      trustedKid: "k1",
    });
    expect(identityProblems(identity)).toEqual([]);
    // The key pair was made on the device: the public key sent is the private key's own.
    expect(exportPublicKey(importPrivateKeyPem(identity.privateKeyPem).publicKey)).toBe(identity.publicKey);
  });

  it("keeps the pairing secret for offline codes when the server sends one, and refuses a malformed one", async () => {
    const secret = Buffer.alloc(32, 7).toString("base64url");
    const pair = async (offlineSecret: string) => {
      const withSecret = await FakePairingServer.start({
        brokerUrl: "mqtt://127.0.0.1:1",
        serverKeys: [serverKey],
        currentKid: "k1",
        pollIntervalMs: 50,
        offlineSecret,
      });
      try {
        return await pairDevice({ ...device, serverUrl: withSecret.url, onCode: (code) => withSecret.claim(code) });
      } finally {
        await withSecret.close();
      }
    };
    const identity = await pair(secret);
    expect(identity.offlineSecret).toBe(secret);
    expect(identityProblems(identity)).toEqual([]);
    await expect(pair("too-short")).rejects.toThrow("offlineSecret is missing or malformed");
  });

  it("makes a new key pair for every pairing", async () => {
    const pair = () => pairDevice({ ...device, serverUrl: server.url, onCode: (code) => server.claim(code) });
    const [first, second] = [await pair(), await pair()];
    expect(first.publicKey).not.toBe(second.publicKey);
    expect(first.deviceId).not.toBe(second.deviceId);
  });

  it("says the code expired and to restart pairing when the server no longer knows it", async () => {
    const pairing = pairDevice({ ...device, serverUrl: server.url, onCode: (code) => server.expire(code) });
    await expect(pairing).rejects.toThrow(/pairing code ABCD-2345 expired.*restart pairing/);
  });

  it("stops waiting when aborted, with the abort's reason", async () => {
    const controller = new AbortController();
    const pairing = pairDevice({
      ...device,
      serverUrl: server.url,
      signal: controller.signal,
      onCode: () => controller.abort(new Error("owner gave up")),
    });
    await expect(pairing).rejects.toThrow("owner gave up");
  });

  it("names the server's error when the request is refused", async () => {
    const pairing = pairDevice({ ...device, serverUrl: `${server.url}/elsewhere`, onCode: () => {} });
    await expect(pairing).rejects.toThrow("the pairing request was refused (HTTP 404 not_found: No such route.)");
  });

  it("refuses a malformed answer from the server", async () => {
    const fakeFetch: typeof fetch = async () =>
      new Response(
        JSON.stringify({ id: "pai_nope", code: "X", pollToken: "t", expiresAt: "soon", pollIntervalMs: 1 }),
        {
          status: 201,
        },
      );
    const pairing = pairDevice({ ...device, serverUrl: server.url, fetch: fakeFetch, onCode: () => {} });
    await expect(pairing).rejects.toThrow("invalid pairing request response: id is missing or malformed");
  });
});

import type { DeviceKind } from "@threshold/core";
import { type Ed25519KeyPair, exportPublicKey, generateEd25519 } from "@threshold/protocol";
import type { SignedInUser } from "./fixtures.js";
import type { ApiRequest, Json, TestResponse } from "./http.js";

/** Test helpers shared by the sites, pairing, devices and access-points tests: everything through the API. */

// Plain throws rather than vitest's expect: this file is not a *.test.ts, so the server build compiles it.
function expectStatus(res: TestResponse, status: number, what: string): void {
  if (res.status !== status)
    throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
}

export const SITE_BODY = {
  name: "Home",
  address: { line1: "Keizersgracht 1", city: "Amsterdam", postalCode: "1015 CJ", country: "NL" },
  location: { lat: 52.3731, lng: 4.8922 },
};

export async function createSite(request: ApiRequest, owner: SignedInUser, name = "Home"): Promise<Json> {
  const res = await request("POST", "/v1/sites", { cookie: owner.cookie, body: { ...SITE_BODY, name } });
  expectStatus(res, 201, "create site");
  return res.body;
}

export interface DeviceAsks {
  id: string;
  code: string;
  pollToken: string;
  keys: Ed25519KeyPair;
}

/** What a device does first: make a key pair and ask for a code. */
export async function requestPairing(request: ApiRequest, kind: DeviceKind, model = "Test model"): Promise<DeviceAsks> {
  const keys = generateEd25519();
  const res = await request("POST", "/v1/pairing-requests", {
    body: { kind, publicKey: exportPublicKey(keys.publicKey), model, firmware: "1.0.0" },
  });
  expectStatus(res, 201, "pairing request");
  return { id: res.body.id, code: res.body.code, pollToken: res.body.pollToken, keys };
}

export interface PairedTestDevice {
  device: Json;
  mqtt: { url: string; username: string; password: string };
  keys: Ed25519KeyPair;
}

/** A whole pairing: the device asks, the owner enters the code, the device collects its credentials. */
export async function pairDevice(
  request: ApiRequest,
  owner: SignedInUser,
  siteId: string,
  kind: DeviceKind,
  name = `My ${kind}`,
): Promise<PairedTestDevice> {
  const asks = await requestPairing(request, kind);
  const claim = await request("POST", `/v1/sites/${siteId}/devices`, {
    cookie: owner.cookie,
    body: { pairingCode: asks.code, name },
  });
  expectStatus(claim, 201, "claim");
  const poll = await request("GET", `/v1/pairing-requests/${asks.id}`, { bearer: asks.pollToken });
  expectStatus(poll, 200, "poll");
  if (poll.body.status !== "paired") throw new Error(`poll: expected paired, got ${poll.body.status}`);
  return { device: claim.body, mqtt: poll.body.mqtt, keys: asks.keys };
}

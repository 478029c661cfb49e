import type { KeyObject } from "node:crypto";
import { newId, randomSecret } from "@threshold/core";
import { type Ed25519KeyPair, exportPrivateKeyPem, exportPublicKey, generateEd25519 } from "@threshold/protocol";
import type { AgentKind, DeviceIdentity } from "../identity.js";

/** A paired device as the test plays the server: the device's identity plus the server key it trusts. */
export interface TestDevice {
  identity: DeviceIdentity;
  serverKey: Ed25519KeyPair;
  serverKid: string;
  devicePublicKey: KeyObject;
}

export function makeTestDevice(kind: AgentKind, brokerUrl: string): TestDevice {
  const device = generateEd25519();
  const serverKey = generateEd25519();
  const deviceId = newId("device");
  const serverKid = "k1";
  return {
    identity: {
      deviceId,
      kind,
      name: `test-${kind}`,
      privateKeyPem: exportPrivateKeyPem(device.privateKey),
      publicKey: exportPublicKey(device.publicKey),
      mqtt: { url: brokerUrl, username: deviceId, password: randomSecret() },
      serverKeys: [{ kid: serverKid, publicKey: exportPublicKey(serverKey.publicKey) }],
      trustedKid: serverKid,
      offlineSecret: randomSecret(32),
    },
    serverKey,
    serverKid,
    devicePublicKey: device.publicKey,
  };
}

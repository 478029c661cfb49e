import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Ed25519KeyPair, exportPublicKey, importPrivateKeyPem } from "./signing.js";

/** docs/protocol/, found from this file so it works from src/ and from a build in dist/ alike. */
export const PROTOCOL_DOCS_DIR = fileURLToPath(new URL("../../../docs/protocol/", import.meta.url));
export const PROTOCOL_EXAMPLES_DIR = path.join(PROTOCOL_DOCS_DIR, "examples");
export const PROTOCOL_TEST_KEYS_DIR = path.join(PROTOCOL_EXAMPLES_DIR, "keys");

/** Who the examples are about. Fixed, so regenerating the examples gives the same bytes. */
export const EXAMPLE_IDENTITIES = {
  lockDeviceId: "dev_01m7wm9d80ekq9d0q9cw2kddwm",
  cameraDeviceId: "dev_01m7wmhqv85wramjsdc53wjxsm",
  /** The garage opener and the fridge lock of docs/garage-and-fridge.md. */
  garageDeviceId: "dev_01m7wmq3f0b8y7nqzj2r4tk6vh",
  fridgeLockDeviceId: "dev_01m7wmr9c2x5d3kfgp8h0sw1ne",
  /** The locker bank controller of docs/lockers.md. */
  lockerDeviceId: "dev_01m7v41f00hd4ej5frvz2pw5s3",
  /** The car of docs/in-car-delivery.md. */
  vehicleDeviceId: "dev_01m7wmt4k8p2v6c9yb3q5dxh7r",
  serverKid: "ktest1",
  /** The key a `rotate_key` example moves the lock to. */
  nextServerKid: "ktest2",
} as const;

/**
 * Published test keys (PKCS#8 PEM). They sign the examples and nothing else: anyone can read them,
 * so a device or server that trusts one of them in production trusts everybody.
 */
export const TEST_KEY_FILES = {
  server: "server-test.pem",
  nextServer: "server-next-test.pem",
  lock: "device-test.pem",
  camera: "camera-test.pem",
  garage: "garage-test.pem",
  fridgeLock: "fridge-lock-test.pem",
  locker: "locker-test.pem",
  vehicle: "vehicle-test.pem",
} as const;
export type TestKeyName = keyof typeof TEST_KEY_FILES;

export interface TestKey {
  pair: Ed25519KeyPair;
  /** Raw public key, base64url, as carried in messages and pairing. */
  publicKey: string;
}

export interface ProtocolTestKeys {
  server: TestKey & { kid: string };
  nextServer: TestKey & { kid: string };
  /** Each example device's own key, by device id. */
  devices: ReadonlyMap<string, TestKey>;
}

export function loadProtocolTestKeys(dir: string = PROTOCOL_TEST_KEYS_DIR): ProtocolTestKeys {
  const load = (name: TestKeyName): TestKey => {
    const pair = importPrivateKeyPem(readFileSync(path.join(dir, TEST_KEY_FILES[name]), "utf8"));
    return { pair, publicKey: exportPublicKey(pair.publicKey) };
  };
  return {
    server: { ...load("server"), kid: EXAMPLE_IDENTITIES.serverKid },
    nextServer: { ...load("nextServer"), kid: EXAMPLE_IDENTITIES.nextServerKid },
    devices: new Map([
      [EXAMPLE_IDENTITIES.lockDeviceId, load("lock")],
      [EXAMPLE_IDENTITIES.cameraDeviceId, load("camera")],
      [EXAMPLE_IDENTITIES.garageDeviceId, load("garage")],
      [EXAMPLE_IDENTITIES.fridgeLockDeviceId, load("fridgeLock")],
      [EXAMPLE_IDENTITIES.lockerDeviceId, load("locker")],
      [EXAMPLE_IDENTITIES.vehicleDeviceId, load("vehicle")],
    ]),
  };
}

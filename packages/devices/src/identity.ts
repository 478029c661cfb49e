import { readFile } from "node:fs/promises";
import { isId } from "@threshold/core";
import { importPrivateKeyPem, importPublicKey } from "@threshold/protocol";
import { writeFileAtomic } from "./atomic-file.js";

export type AgentKind = "lock" | "camera" | "garage_opener" | "locker_controller" | "vehicle";
export const AGENT_KINDS: readonly AgentKind[] = ["lock", "camera", "garage_opener", "locker_controller", "vehicle"];

export interface ServerKey {
  kid: string;
  /** Raw Ed25519 public key, base64url (43 characters). */
  publicKey: string;
}

/** Everything a paired device must remember across restarts. The file holds secrets: mode 0600. */
export interface DeviceIdentity {
  deviceId: string;
  kind: AgentKind;
  name: string;
  /** The device's own Ed25519 signing key (PKCS#8 PEM); it never leaves the device. */
  privateKeyPem: string;
  /** The device's public key, base64url, as registered with the server. */
  publicKey: string;
  mqtt: { url: string; username: string; password: string };
  /** Server keys the device knows; only the one named by `trustedKid` is trusted for commands. */
  serverKeys: ServerKey[];
  trustedKid: string;
  /**
   * The 32-byte secret shared with the server at pairing, base64url: offline codes are derived
   * from it and PINs are sealed with it (docs/offline-codes.md). Absent on devices paired before it existed.
   */
  offlineSecret?: string;
}

/** Writes the identity so that a crash never leaves half a file and no other user can read it. */
export async function saveIdentity(path: string, identity: DeviceIdentity): Promise<void> {
  const problems = identityProblems(identity);
  if (problems.length > 0) throw new Error(`refusing to save an invalid device identity: ${problems.join("; ")}`);
  await writeFileAtomic(path, `${JSON.stringify(identity, null, 2)}\n`, 0o600);
}

/** Reads and validates an identity file; a damaged file is an error that says what is wrong, never a half identity. */
export async function loadIdentity(path: string): Promise<DeviceIdentity> {
  const text = await readFile(path, "utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`device identity ${path} is not valid JSON`);
  }
  const problems = identityProblems(value);
  if (problems.length > 0) throw new Error(`device identity ${path} is invalid: ${problems.join("; ")}`);
  return value as DeviceIdentity;
}

/** Keys the agent trusts for commands: the server keys named by `trustedKid` (one, normally). */
export function trustedServerKeys(identity: DeviceIdentity): ServerKey[] {
  return identity.serverKeys.filter((key) => key.kid === identity.trustedKid);
}

/** Lists what is wrong with a would-be identity; empty when it is usable. */
export function identityProblems(value: unknown): string[] {
  if (!isRecord(value)) return ["must be a JSON object"];
  const problems: string[] = [];
  if (!isId("device", value.deviceId)) problems.push("deviceId must be a device id (dev_…)");
  if (!AGENT_KINDS.includes(value.kind as AgentKind))
    problems.push('kind must be "lock", "camera", "garage_opener", "locker_controller" or "vehicle"');
  if (!isNonEmptyString(value.name)) problems.push("name must be a non-empty string");
  if (!isNonEmptyString(value.privateKeyPem) || !canImport(() => importPrivateKeyPem(value.privateKeyPem as string))) {
    problems.push("privateKeyPem must be an Ed25519 private key in PEM");
  }
  if (!isNonEmptyString(value.publicKey) || !canImport(() => importPublicKey(value.publicKey as string))) {
    problems.push("publicKey must be a raw Ed25519 public key, base64url");
  }
  const mqtt = value.mqtt;
  if (!isRecord(mqtt) || !isNonEmptyString(mqtt.url) || !isNonEmptyString(mqtt.username)) {
    problems.push("mqtt must have a url, a username and a password");
  } else if (!isNonEmptyString(mqtt.password)) {
    problems.push("mqtt.password must be a non-empty string");
  }
  if (!Array.isArray(value.serverKeys) || value.serverKeys.length === 0) {
    problems.push("serverKeys must be a non-empty list");
  } else {
    value.serverKeys.forEach((key: unknown, index) => {
      if (!isRecord(key) || !isNonEmptyString(key.kid) || !isNonEmptyString(key.publicKey)) {
        problems.push(`serverKeys[${index}] must have a kid and a publicKey`);
      } else if (!canImport(() => importPublicKey(key.publicKey as string))) {
        problems.push(`serverKeys[${index}].publicKey must be a raw Ed25519 public key, base64url`);
      }
    });
  }
  if (!isNonEmptyString(value.trustedKid)) {
    problems.push("trustedKid must be a non-empty string");
  } else if (
    Array.isArray(value.serverKeys) &&
    !value.serverKeys.some((key) => isRecord(key) && key.kid === value.trustedKid)
  ) {
    problems.push("trustedKid must name one of serverKeys");
  }
  if (value.offlineSecret !== undefined && !isOfflineSecret(value.offlineSecret)) {
    problems.push("offlineSecret must be 32 bytes, base64url");
  }
  return problems;
}

/** The shared secret as bytes, or null when the device has none. */
export function offlineSecretOf(identity: DeviceIdentity): Uint8Array | null {
  return identity.offlineSecret ? Buffer.from(identity.offlineSecret, "base64url") : null;
}

function isOfflineSecret(value: unknown): boolean {
  return (
    typeof value === "string" && /^[A-Za-z0-9_-]{43}$/.test(value) && Buffer.from(value, "base64url").length === 32
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}

function canImport(importKey: () => unknown): boolean {
  try {
    importKey();
    return true;
  } catch {
    return false;
  }
}

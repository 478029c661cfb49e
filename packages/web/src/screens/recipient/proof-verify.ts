import { auditHashInput } from "@threshold/core/audit-hash-input";
import { canonicalJson } from "@threshold/core/canonical-json";
import type { DeliveryProof } from "@threshold/protocol";

/**
 * Checks a delivery proof in the browser, trusting nothing but the proof's own public keys: every
 * Ed25519 signature (commands by the server, acks and events by the devices), every audit event's
 * SHA-256 hash, and the links between audit events that follow each other in the log. The same
 * rules as `verifyProof` in @threshold/protocol, with WebCrypto instead of node:crypto.
 */

export interface ProofVerification {
  ok: boolean;
  /** Ed25519 signatures checked (valid or not). */
  signatures: number;
  /** Audit event hashes recomputed. */
  hashes: number;
  /** prevHash links checked between audit events with consecutive seqs. */
  links: number;
  /** One sentence per problem found; empty when `ok`. */
  problems: string[];
}

export type ProgressListener = (done: number, total: number) => void;

type AuditEvent = DeliveryProof["auditEvents"][number];

const PUBLIC_KEY = /^[A-Za-z0-9_-]{43}$/;
const SIGNATURE = /^[A-Za-z0-9_-]{86}$/;
const utf8 = new TextEncoder();

export function base64UrlToBytes(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, "="));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function toHex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** The hash the server gave an audit event: SHA-256 over the canonical JSON of every member but `hash`. */
export async function hashAuditEvent(event: AuditEvent, subtle: SubtleCrypto = crypto.subtle): Promise<string> {
  const content = auditHashInput(event);
  return toHex(await subtle.digest("SHA-256", utf8.encode(content)));
}

/** Why a proof could not be checked at all (as opposed to a proof that does not verify). */
export class VerifierUnavailableError extends Error {}

// RFC 8032 test vector 1's public key: any browser that can verify Ed25519 imports it.
const KNOWN_KEY = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

async function assertEd25519(subtle: SubtleCrypto | undefined): Promise<SubtleCrypto> {
  if (!subtle) {
    throw new VerifierUnavailableError(
      "Checking signatures needs a secure connection (HTTPS). Open Threshold over HTTPS.",
    );
  }
  try {
    await subtle.importKey("raw", base64UrlToBytes(KNOWN_KEY), { name: "Ed25519" }, false, ["verify"]);
  } catch {
    throw new VerifierUnavailableError(
      "This browser cannot check Ed25519 signatures. Update it, or check the proof with the Threshold CLI.",
    );
  }
  return subtle;
}

/** Imports each raw key once; a key that cannot be imported is remembered as unusable. */
function keyCache(subtle: SubtleCrypto) {
  const keys = new Map<string, Promise<CryptoKey | null>>();
  return (raw: string): Promise<CryptoKey | null> => {
    let key = keys.get(raw);
    if (!key) {
      key = PUBLIC_KEY.test(raw)
        ? subtle.importKey("raw", base64UrlToBytes(raw), { name: "Ed25519" }, false, ["verify"]).catch(() => null)
        : Promise.resolve(null);
      keys.set(raw, key);
    }
    return key;
  };
}

/**
 * Verifies `proof`. Never throws for a bad proof: every problem is listed. Throws
 * VerifierUnavailableError when this browser cannot check it. `onProgress` hears how many of the
 * checks are done, so a screen can show progress on a slow device.
 */
export async function verifyDeliveryProof(
  proof: DeliveryProof,
  options: { onProgress?: ProgressListener; subtle?: SubtleCrypto } = {},
): Promise<ProofVerification> {
  // crypto.subtle is undefined outside secure contexts (plain HTTP to anything but localhost).
  const subtle = await assertEd25519(options.subtle ?? globalThis.crypto?.subtle);
  const importKey = keyCache(subtle);
  const serverKeys = new Map(proof.keys.server.map((k) => [k.kid, k.publicKey]));
  const deviceKeys = new Map(proof.keys.devices.map((d) => [d.deviceId, d.publicKey]));
  const problems: string[] = [];
  const result = { signatures: 0, hashes: 0, links: 0 };

  const checks: (() => Promise<void>)[] = [];
  const signatureCheck = (message: { sig: string }, publicKey: string | undefined, what: string) =>
    checks.push(async () => {
      result.signatures++;
      const key = publicKey ? await importKey(publicKey) : null;
      if (!key) {
        problems.push(`${what}: no usable public key for its signer`);
        return;
      }
      const { sig, ...signed } = message;
      const valid =
        SIGNATURE.test(sig) &&
        (await subtle
          .verify({ name: "Ed25519" }, key, base64UrlToBytes(sig), utf8.encode(canonicalJson(signed)))
          .catch(() => false));
      if (!valid) problems.push(`${what}: signature does not verify`);
    });

  for (const { message, ack } of proof.commands) {
    signatureCheck(message, serverKeys.get(message.kid), `Command ${message.action} (${message.id})`);
    if (!ack) continue;
    if (ack.commandId !== message.id || ack.deviceId !== message.deviceId) {
      problems.push(`Answer to ${message.id}: it does not answer that command`);
    }
    signatureCheck(ack, deviceKeys.get(ack.deviceId), `Device answer to ${message.action} (${message.id})`);
  }
  for (const event of proof.deviceEvents) {
    signatureCheck(event, deviceKeys.get(event.deviceId), `Device event ${event.type} (${event.id})`);
  }
  for (const event of proof.auditEvents) {
    checks.push(async () => {
      result.hashes++;
      if ((await hashAuditEvent(event, subtle)) !== event.hash) {
        problems.push(`Audit event ${event.seq} (${event.type}): hash does not match its content`);
      }
    });
  }

  const total = checks.length;
  options.onProgress?.(0, total);
  for (const [index, check] of checks.entries()) {
    await check();
    options.onProgress?.(index + 1, total);
  }

  // The proof holds only this delivery's audit events, so a link is checkable where two are neighbours in the log.
  const inOrder = [...proof.auditEvents].sort((a, b) => a.seq - b.seq);
  for (let i = 1; i < inOrder.length; i++) {
    const before = inOrder[i - 1] as AuditEvent;
    const event = inOrder[i] as AuditEvent;
    if (event.seq !== before.seq + 1) continue;
    result.links++;
    if (event.prevHash !== before.hash) {
      problems.push(`Audit event ${event.seq}: does not link to event ${before.seq} before it`);
    }
  }
  if (!provesRelock(proof)) {
    problems.push("No signed answer from the lock shows the door locked and closed");
  }

  return { ok: problems.length === 0, ...result, problems };
}

/** The point of the proof: the lock itself signed that it was locked with the door closed. */
function provesRelock(proof: DeliveryProof): boolean {
  const locks = new Set(proof.keys.devices.filter((d) => d.kind === "lock").map((d) => d.deviceId));
  return proof.commands.some(({ message, ack }) => {
    const state = ack?.state;
    return (
      message.action === "lock" &&
      locks.has(message.deviceId) &&
      ack?.status === "succeeded" &&
      state !== undefined &&
      "lock" in state &&
      state.lock === "locked" &&
      state.door === "closed"
    );
  });
}

import { auditHashInput } from "@threshold/core/audit-hash-input";
import { canonicalJson } from "@threshold/core/canonical-json";
import type { DeliveryProof } from "@threshold/protocol";
import { clipCoverage } from "@threshold/protocol/clip-coverage";
import { segmentStatement } from "@threshold/protocol/segment-statement";

/**
 * Checks a delivery proof in the browser, trusting nothing but the proof's own public keys: every
 * Ed25519 signature (commands by the server, acks and events by the devices), every audit event's
 * SHA-256 hash, the links between audit events that follow each other in the log, and the visit's
 * clip: every segment's chain hash and link, the camera's signature on it, and the downloaded
 * video against its hash. The same
 * rules as `verifyProof` in @threshold/protocol, with WebCrypto instead of node:crypto (importing
 * the protocol's own checks would bring node:crypto into the bundle).
 */

export interface ProofVerification {
  ok: boolean;
  /** Ed25519 signatures checked (valid or not), the camera's on each clip segment included. */
  signatures: number;
  /** Audit event hashes recomputed. */
  hashes: number;
  /** prevHash links checked between audit events with consecutive seqs. */
  links: number;
  /** Clip segments whose chain hash was recomputed and whose downloaded video was hashed. */
  segments: number;
  /** One sentence per problem found; empty when `ok`. */
  problems: string[];
  /**
   * Facts that are not forgeries and do not fail the check: a clip without video of the door
   * opening (the camera was lost), video that could not be downloaded, a clip still recording.
   */
  notes: string[];
}

export type ProgressListener = (done: number, total: number) => void;

/** Fetches one clip segment's bytes; `fetch` in the browser, a stub in tests. */
export type FetchFunction = (url: string, init: RequestInit) => Promise<Response>;

type AuditEvent = DeliveryProof["auditEvents"][number];
type ProofClip = NonNullable<DeliveryProof["clip"]>;
type ClipSegment = ProofClip["segments"][number];

const PUBLIC_KEY = /^[A-Za-z0-9_-]{43}$/;
const SIGNATURE = /^[A-Za-z0-9_-]{86}$/;
const utf8 = new TextEncoder();
/** Clip segments downloaded at once while verifying. */
const SEGMENT_DOWNLOADS = 4;

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

/** The `prevHash` of a stream's first segment (GENESIS_SEGMENT_HASH in @threshold/protocol). */
export const GENESIS_SEGMENT_HASH = "0".repeat(64);
const SHA256_HEX = /^[0-9a-f]{64}$/;
const isCount = (value: unknown) => typeof value === "number" && Number.isSafeInteger(value) && value >= 0;

/**
 * A segment's link in its camera's hash chain (docs/video.md): SHA-256 of the canonical JSON of
 * exactly these six members, as `segmentChainHash` in @threshold/protocol computes it. Null for
 * values that function refuses (fractions, unsafe integers, upper-case hex, an empty device id).
 */
export async function segmentChainHash(
  input: Pick<ClipSegment, "prevHash" | "sequence" | "startedAt" | "durationMs" | "contentSha256"> & {
    deviceId: string;
  },
  subtle: SubtleCrypto = crypto.subtle,
): Promise<string | null> {
  const { prevHash, deviceId, sequence, startedAt, durationMs, contentSha256 } = input;
  if (typeof prevHash !== "string" || !SHA256_HEX.test(prevHash)) return null;
  if (typeof contentSha256 !== "string" || !SHA256_HEX.test(contentSha256)) return null;
  if (typeof deviceId !== "string" || deviceId.length === 0) return null;
  if (!isCount(sequence) || !isCount(startedAt) || !isCount(durationMs)) return null;
  const canonical = canonicalJson({ prevHash, deviceId, sequence, startedAt, durationMs, contentSha256 });
  return toHex(await subtle.digest("SHA-256", utf8.encode(canonical)));
}

/** Where the site's owner fetches a clip segment's bytes (same origin, with the session cookie). */
export const clipSegmentUrl = (visitId: string, segmentId: string) =>
  `/v1/visits/${encodeURIComponent(visitId)}/clip/segments/${encodeURIComponent(segmentId)}.ts`;

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
  options: { onProgress?: ProgressListener; subtle?: SubtleCrypto; fetch?: FetchFunction } = {},
): Promise<ProofVerification> {
  // crypto.subtle is undefined outside secure contexts (plain HTTP to anything but localhost).
  const subtle = await assertEd25519(options.subtle ?? globalThis.crypto?.subtle);
  const importKey = keyCache(subtle);
  const serverKeys = new Map(proof.keys.server.map((k) => [k.kid, k.publicKey]));
  const deviceKeys = new Map(proof.keys.devices.map((d) => [d.deviceId, d.publicKey]));
  const problems: string[] = [];
  const notes: string[] = [];
  const result = { signatures: 0, hashes: 0, links: 0, segments: 0 };

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

  // Older servers sent no clip at all: that is a proof without video, like `clip: null`.
  const clip = proof.clip ?? null;
  const clipProblems: string[][] = [];
  const clipChecks: (() => Promise<void>)[] = [];
  let undownloaded = 0;
  /** Clip segments whose camera signature verified: video the camera itself vouches for. */
  let cameraSigned = 0;
  if (clip) {
    const fetchBytes = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
    const cameraKey = deviceKeys.get(clip.cameraId);
    if (clip.segments.length > 0 && !cameraKey) {
      problems.push(`Video: the proof has no public key for its camera ${clip.cameraId}`);
    }
    for (const [index, segment] of clip.segments.entries()) {
      const previous = clip.segments[index - 1];
      const found: string[] = [];
      clipProblems.push(found);
      clipChecks.push(async () => {
        const what = `Video segment ${segment.sequence} (${segment.id})`;
        // checkClipChain's rule (@threshold/protocol): the link recomputes, and the segment follows
        // the one before it or starts a new stream from the genesis hash (the camera restarted).
        const recomputed = await segmentChainHash({ ...segment, deviceId: clip.cameraId }, subtle);
        if (recomputed !== segment.chainHash) found.push(`${what}: chain hash does not match`);
        const restarts = segment.sequence === 0 && segment.prevHash === GENESIS_SEGMENT_HASH;
        if (previous && !restarts && segment.prevHash !== previous.chainHash) {
          found.push(`${what}: does not follow the segment before it`);
        }
        // checkClipSignatures's rule: the camera's key, not its upload password, makes the video its own.
        const signature = segment.signature;
        if (!signature) {
          found.push(`${what}: not signed by the camera`);
        } else if (cameraKey) {
          result.signatures++;
          const key = await importKey(cameraKey);
          const statement = utf8.encode(segmentStatement({ deviceId: clip.cameraId, chainHash: segment.chainHash }));
          const valid =
            key !== null &&
            SIGNATURE.test(signature) &&
            (await subtle.verify({ name: "Ed25519" }, key, base64UrlToBytes(signature), statement).catch(() => false));
          if (valid) cameraSigned++;
          else found.push(`${what}: the camera's signature does not verify`);
        }
        // "Checks them against the downloaded video": the bytes served are the bytes hashed.
        const bytes = await download(fetchBytes, clipSegmentUrl(proof.visit.id, segment.id));
        if (!bytes) {
          undownloaded++;
          return;
        }
        if (toHex(await subtle.digest("SHA-256", bytes)) !== segment.contentSha256) {
          found.push(`${what}: the downloaded video does not match its hash`);
        }
        result.segments++;
      });
    }
  }

  const total = checks.length + clipChecks.length;
  let done = 0;
  options.onProgress?.(0, total);
  for (const check of checks) {
    await check();
    options.onProgress?.(++done, total);
  }
  // Segments download a few at a time: a long clip is hundreds of requests. Their problems are
  // listed in the clip's order whatever order the downloads finish in.
  let next = 0;
  const worker = async () => {
    while (next < clipChecks.length) {
      const check = clipChecks[next++] as () => Promise<void>;
      await check();
      options.onProgress?.(++done, total);
    }
  };
  await Promise.all(Array.from({ length: Math.min(SEGMENT_DOWNLOADS, clipChecks.length) }, worker));
  for (const found of clipProblems) problems.push(...found);

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
  if (clip) {
    notes.push(...clipCoverage(clip, proof.visit));
    const signed = checkSignedClipHead(clip, proof.deviceEvents, proof.visit.id);
    problems.push(...signed.problems);
    notes.push(...signed.notes);
    if (clip.segments.length > 0 && cameraSigned === 0 && !signed.matched) {
      problems.push(CLIP_NOT_VOUCHED_FOR);
    }
    if (undownloaded > 0) {
      notes.push(
        `${undownloaded} of ${clip.segments.length} video segments could not be downloaded, so their video was not checked.`,
      );
    }
    if (clip.state === "recording") {
      notes.push("The clip was still recording when this proof was loaded: later video is not part of this check.");
    }
  }

  return { ok: problems.length === 0, ...result, problems, notes };
}

/** A segment's bytes, or null when they cannot be had (gone after retention, offline). */
async function download(fetchBytes: FetchFunction, url: string): Promise<ArrayBuffer | null> {
  try {
    const response = await fetchBytes(url, { credentials: "same-origin", cache: "no-store" });
    return response.ok ? await response.arrayBuffer() : null;
  } catch {
    return null;
  }
}

/** The problem of a clip with video but nothing in it the camera's key vouches for (as in @threshold/protocol). */
export const CLIP_NOT_VOUCHED_FOR = "The clip has no video signed by the camera.";

/**
 * The chain head the camera signed when the visit's recording stopped (its
 * `camera.recording_stopped` event, whose signature is checked with the other device events),
 * against the clip: as `checkSignedClipHead` in @threshold/protocol. A segment at the head's place
 * with another hash is a forgery; no head, or no segment there, is a note. `matched` when the
 * clip holds the very segment the camera signed as its head.
 */
export function checkSignedClipHead(
  clip: Pick<ProofClip, "cameraId" | "segments">,
  events: readonly DeliveryProof["deviceEvents"][number][],
  visitId: string,
): { problems: string[]; notes: string[]; matched: boolean } {
  const head = events.find(
    (e) =>
      e.deviceId === clip.cameraId &&
      e.type === "camera.recording_stopped" &&
      e.data.visitId === visitId &&
      typeof e.data.chainHash === "string",
  )?.data;
  if (!head) {
    return { problems: [], notes: ["The camera signed no chain head for this visit's video."], matched: false };
  }
  const segment = clip.segments.find((s) => s.sequence === head.sequence && s.startedAt === head.startedAt);
  if (!segment) {
    return { problems: [], notes: ["The clip has no video at the chain head the camera signed."], matched: false };
  }
  if (segment.chainHash !== head.chainHash) {
    return {
      problems: [`Video segment ${segment.sequence} (${segment.id}): differs from the chain head the camera signed`],
      notes: [],
      matched: false,
    };
  }
  return { problems: [], notes: [], matched: true };
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

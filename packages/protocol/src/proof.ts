import type { KeyObject } from "node:crypto";
import { type AuditEvent, hashAuditEvent } from "@threshold/core";
import { clipCoverage } from "./clip-coverage.js";
import { parseAck, parseCommand, parseEvent } from "./parse.js";
import type { AckMessage, CommandMessage, EventMessage } from "./schemas.js";
import { GENESIS_SEGMENT_HASH, type SegmentChainInput, segmentChainHash } from "./segment-chain.js";
import { verifySegmentSignature } from "./segment-signature.js";
import { importPublicKey, verifyMessage } from "./signing.js";

/**
 * Proof of one delivery, self-contained: everything a third party needs to check who did what,
 * when, and that the door was proven locked — with the public keys and no trust in Threshold's
 * database. Commands are signed by the server, acks and events by the devices, and the audit
 * events carry the hashes that chain them into the full log.
 */
export interface DeliveryProof {
  version: 1;
  shipment: { id: string; trackingNumber: string; method: string; deliveredAt: string | null };
  visit: {
    id: string;
    status: string;
    courierFirstName: string;
    requestedAt: string;
    openedAt: string | null;
    securedAt: string | null;
  };
  /** The commands exactly as the devices received them, with the devices' signed answers. */
  commands: { message: CommandMessage; ack: AckMessage | null; status: string }[];
  /** The devices' own signed reports during the visit (lock, door, camera). */
  deviceEvents: EventMessage[];
  /** The visit's and shipment's audit events, each hashing its predecessor in the full log. */
  auditEvents: AuditEvent[];
  keys: {
    server: { kid: string; publicKey: string }[];
    devices: { deviceId: string; kind: string; publicKey: string }[];
  };
  /** The visit's clip as hashes: the video itself is fetched separately and checked against them. */
  clip: ProofClip | null;
}

/**
 * The witness camera's segments from the pre-roll before the unlock to the post-roll after the
 * end, each with the members of its chain hash (docs/video.md), so the chain can be recomputed and
 * downloaded video checked segment by segment. Times are integer milliseconds, exactly as hashed.
 */
export interface ProofClip {
  cameraId: string;
  /** The clip's window; `until` is null while the visit goes on. */
  from: number;
  until: number | null;
  state: "recording" | "complete" | "incomplete";
  segments: ProofClipSegment[];
}

export interface ProofClipSegment {
  /** Where the segment's bytes can be fetched (the site's owner and operators). */
  id: string;
  sequence: number;
  startedAt: number;
  durationMs: number;
  contentSha256: string;
  prevHash: string;
  chainHash: string;
  /**
   * The camera's Ed25519 signature over the segment (segmentStatement), as it uploaded it. Proofs
   * made before cameras signed their segments have none: such a segment no longer verifies.
   */
  signature?: string | null;
}

export interface ProofCheck {
  ok: boolean;
  checked: number;
  problems: string[];
  /** True facts that are not forgeries, e.g. a clip that does not cover the unlock because the camera was lost. */
  notes: string[];
  /**
   * End of the clip's last segment that the camera itself vouched for (epoch ms): by its signature
   * on the segment, or by the chain head in its signed `camera.recording_stopped` event (each
   * segment hashes its predecessor, so every segment of the head's stream up to it is the camera's
   * own video). null when the camera vouched for none of the clip.
   */
  clipSignedUntil: number | null;
}

/** Checks every signature and hash in a proof. Pure; runs anywhere with the proof alone. */
export function verifyProof(proof: DeliveryProof): ProofCheck {
  const problems: string[] = [];
  let checked = 0;
  const serverKeys = new Map(proof.keys.server.map((k) => [k.kid, k.publicKey]));
  const deviceKeys = new Map(proof.keys.devices.map((d) => [d.deviceId, d.publicKey]));
  const verifyWith = (raw: string | undefined, message: { sig: string }, what: string) => {
    checked++;
    try {
      if (!raw || !verifyMessage(message, importPublicKey(raw))) problems.push(`${what}: signature does not verify`);
    } catch {
      problems.push(`${what}: unusable public key`);
    }
  };

  for (const { message, ack } of proof.commands) {
    if (!parseCommand(JSON.stringify(message)).ok) problems.push(`command ${message.id}: malformed`);
    verifyWith(serverKeys.get(message.kid), message, `command ${message.id}`);
    if (ack) {
      if (!parseAck(JSON.stringify(ack)).ok || ack.commandId !== message.id || ack.deviceId !== message.deviceId) {
        problems.push(`ack of ${message.id}: does not answer that command`);
      }
      verifyWith(deviceKeys.get(ack.deviceId), ack, `ack of ${message.id}`);
    }
  }
  for (const event of proof.deviceEvents) {
    if (!parseEvent(JSON.stringify(event)).ok) problems.push(`device event ${event.id}: malformed`);
    verifyWith(deviceKeys.get(event.deviceId), event, `device event ${event.id}`);
  }
  for (const event of proof.auditEvents) {
    checked++;
    const { hash, ...unhashed } = event;
    if (hashAuditEvent(unhashed) !== hash) problems.push(`audit event ${event.seq}: hash does not match its content`);
  }
  const notes: string[] = [];
  let clipSignedUntil: number | null = null;
  if (proof.clip) {
    const clip = checkClipChain(proof.clip, (input) => segmentChainHash(input));
    checked += clip.checked;
    problems.push(...clip.problems);
    notes.push(...clipCoverage(proof.clip, proof.visit));
    // The camera's key is parsed once for the whole clip (a long clip is hundreds of segments).
    let cameraKey: KeyObject | undefined;
    const segments = checkClipSignatures(proof.clip, deviceKeys.get(proof.clip.cameraId), (segment, signature, raw) => {
      cameraKey ??= importPublicKey(raw);
      return verifySegmentSignature(segment, signature, cameraKey);
    });
    checked += segments.checked;
    problems.push(...segments.problems);
    const signed = checkSignedClipHead(proof.clip, proof.deviceEvents, proof.visit.id);
    problems.push(...signed.problems);
    notes.push(...signed.notes);
    const anchors = [segments.signedUntil, signed.signedUntil].filter((until): until is number => until !== null);
    clipSignedUntil = anchors.length > 0 ? Math.max(...anchors) : null;
    if (proof.clip.segments.length > 0 && clipSignedUntil === null) {
      problems.push(CLIP_NOT_VOUCHED_FOR);
    }
  }
  return { ok: problems.length === 0, checked, problems, notes, clipSignedUntil };
}

/** The problem of a clip with video but nothing in it the camera's key vouches for. */
export const CLIP_NOT_VOUCHED_FOR = "The clip has no video signed by the camera.";

/**
 * Checks every clip segment's signature with the camera's public key (`rawKey`, base64url, from
 * the proof's keys): a segment the camera did not sign is not the camera's video, however well it
 * links — anyone who holds the database, or saw the camera's upload password, can compute a chain.
 * `verify` is verifySegmentSignature, passed in so a browser can supply a WebCrypto one; it may
 * throw for an unusable key. `signedUntil` is the end of the last segment with a valid signature.
 */
export function checkClipSignatures(
  clip: Pick<ProofClip, "cameraId" | "segments">,
  rawKey: string | undefined,
  verify: (segment: { deviceId: string; chainHash: string }, signature: string, rawKey: string) => boolean,
): { checked: number; problems: string[]; signedUntil: number | null } {
  const problems: string[] = [];
  let signedUntil: number | null = null;
  if (clip.segments.length > 0 && !rawKey) {
    problems.push(`clip: the proof has no public key for its camera ${clip.cameraId}`);
  }
  for (const segment of clip.segments) {
    if (!segment.signature) {
      problems.push(`clip segment ${segment.id}: not signed by the camera`);
      continue;
    }
    if (!rawKey) continue;
    let valid: boolean;
    try {
      valid = verify({ deviceId: clip.cameraId, chainHash: segment.chainHash }, segment.signature, rawKey);
    } catch {
      valid = false;
    }
    if (!valid) {
      problems.push(`clip segment ${segment.id}: the camera's signature does not verify`);
      continue;
    }
    signedUntil = Math.max(signedUntil ?? 0, segment.startedAt + segment.durationMs);
  }
  return { checked: clip.segments.length, problems, signedUntil };
}

/**
 * Compares the clip with the chain head the camera signed when the visit's recording stopped
 * (its `camera.recording_stopped` event, whose signature the device-event check covers). A
 * segment at the head's place with another hash is a forgery; no segment there is a gap.
 */
export function checkSignedClipHead(
  clip: Pick<ProofClip, "cameraId" | "segments">,
  events: readonly EventMessage[],
  visitId: string,
): { problems: string[]; notes: string[]; signedUntil: number | null } {
  const head = events.find(
    (e) =>
      e.deviceId === clip.cameraId &&
      e.type === "camera.recording_stopped" &&
      e.data.visitId === visitId &&
      typeof e.data.chainHash === "string",
  )?.data;
  if (!head)
    return { problems: [], notes: ["The camera signed no chain head for this visit's video."], signedUntil: null };
  const segment = clip.segments.find((s) => s.sequence === head.sequence && s.startedAt === head.startedAt);
  if (!segment) {
    return { problems: [], notes: ["The clip has no video at the chain head the camera signed."], signedUntil: null };
  }
  if (segment.chainHash !== head.chainHash) {
    return {
      problems: [`clip segment ${segment.id}: differs from the chain head the camera signed`],
      notes: [],
      signedUntil: null,
    };
  }
  return { problems: [], notes: [], signedUntil: segment.startedAt + segment.durationMs };
}

/**
 * Recomputes every clip segment's chain hash and checks each follows the one before it: it names
 * its chain hash, or it starts a new stream (sequence 0 from the genesis hash; the camera
 * restarted). A segment dropped, swapped or edited in the middle of a stream breaks a link.
 * `hash` is segmentChainHash, passed in so a browser can supply a WebCrypto one.
 */
export function checkClipChain(
  clip: Pick<ProofClip, "cameraId" | "segments">,
  hash: (input: SegmentChainInput) => string,
): { checked: number; problems: string[] } {
  const problems: string[] = [];
  let previous: ProofClipSegment | undefined;
  for (const segment of clip.segments) {
    let recomputed: string | null;
    try {
      recomputed = hash({ ...segment, deviceId: clip.cameraId });
    } catch {
      recomputed = null;
    }
    if (recomputed !== segment.chainHash) problems.push(`clip segment ${segment.id}: chain hash does not match`);
    const restarts = segment.sequence === 0 && segment.prevHash === GENESIS_SEGMENT_HASH;
    if (previous && !restarts && segment.prevHash !== previous.chainHash) {
      problems.push(`clip segment ${segment.id}: does not follow the segment before it`);
    }
    previous = segment;
  }
  return { checked: clip.segments.length, problems };
}

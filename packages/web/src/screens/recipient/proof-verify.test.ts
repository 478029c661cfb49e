import type { KeyObject } from "node:crypto";
import { type AuditEvent, GENESIS_HASH, hashAuditEvent, newId } from "@threshold/core";
import {
  type AckMessage,
  type CommandMessage,
  type DeliveryProof,
  type EventMessage,
  exportPublicKey,
  GENESIS_SEGMENT_HASH,
  generateEd25519,
  type ProofClipSegment,
  contentSha256 as serverContentSha256,
  segmentChainHash as serverSegmentChainHash,
  signMessage,
  signSegment,
  verifyProof,
} from "@threshold/protocol";
import { describe, expect, it } from "vitest";
import {
  CLIP_NOT_VOUCHED_FOR,
  type FetchFunction,
  segmentChainHash,
  VerifierUnavailableError,
  verifyDeliveryProof,
  GENESIS_SEGMENT_HASH as WEB_GENESIS,
} from "./proof-verify";

/**
 * A real proof, signed with node:crypto the way the server and the devices sign: the browser
 * verifier (WebCrypto) must accept it and catch every kind of tampering.
 */
function buildProof(): DeliveryProof {
  return buildSignedProof().proof;
}

/** The test cameras' private keys, by device id: a clip's segments are signed as the camera signs them. */
const cameraKeys = new Map<string, KeyObject>();

/** The camera's signature on a segment of its clip, as the camera made it when uploading. */
function cameraSigned(cameraId: string, segment: ProofClipSegment): ProofClipSegment {
  const key = cameraKeys.get(cameraId);
  if (!key) throw new Error(`no key for camera ${cameraId}`);
  return { ...segment, signature: signSegment({ deviceId: cameraId, chainHash: segment.chainHash }, key) };
}

/** The proof, and a way to add an event the camera signed after it was built. */
function buildSignedProof() {
  const server = generateEd25519();
  const lock = generateEd25519();
  const camera = generateEd25519();
  const lockId = newId("device");
  const cameraId = newId("device");
  cameraKeys.set(cameraId, camera.privateKey);
  const visitId = newId("visit");
  const shipmentId = newId("shipment");
  const t0 = 1_764_000_000_000;

  const command = (deviceId: string, action: CommandMessage["action"], at: number): CommandMessage =>
    signMessage(
      {
        v: 1 as const,
        id: newId("command"),
        deviceId,
        kid: "k1",
        issuedAt: at,
        expiresAt: at + 30_000,
        action,
        params: { visitId },
      },
      server.privateKey,
    );
  const ack = (message: CommandMessage, key: typeof lock, at: number, state: AckMessage["state"]): AckMessage =>
    signMessage(
      { v: 1 as const, deviceId: message.deviceId, commandId: message.id, status: "succeeded" as const, at, state },
      key.privateKey,
    );
  const event = (deviceId: string, key: typeof lock, seq: number, type: EventMessage["type"], at: number) =>
    signMessage({ v: 1 as const, deviceId, id: newId("event"), seq, at, type, data: {} }, key.privateKey);

  const recordStart = command(cameraId, "record_start", t0 + 100);
  const unlock = command(lockId, "unlock", t0 + 400);
  const relock = command(lockId, "lock", t0 + 9_000);
  const lockState = { door: "closed" as const, battery: 90, autoRelockS: 0, lockedOut: false };

  let prevHash = GENESIS_HASH;
  const auditEvents: AuditEvent[] = [
    "visit.authorized",
    "visit.opening",
    "visit.open",
    "visit.securing",
    "visit.secured",
  ].map((type, index) => {
    const unhashed = {
      seq: 41 + index,
      id: newId("event"),
      at: t0 + index * 1_000,
      type,
      subjectType: "visit",
      subjectId: visitId,
      siteId: "sit_test",
      actorType: "system",
      actorId: null,
      data: { courierFirstName: "Sam", trackingNumber: "DEMO-1" },
      prevHash,
    };
    const hashed = { ...unhashed, hash: hashAuditEvent(unhashed) };
    prevHash = hashed.hash;
    return hashed;
  });

  const proof: DeliveryProof = {
    version: 1,
    shipment: {
      id: shipmentId,
      trackingNumber: "DEMO-1",
      method: "in_home",
      deliveredAt: new Date(t0 + 9_500).toISOString(),
    },
    visit: {
      id: visitId,
      status: "secured",
      courierFirstName: "Sam",
      requestedAt: new Date(t0).toISOString(),
      openedAt: new Date(t0 + 500).toISOString(),
      securedAt: new Date(t0 + 9_500).toISOString(),
    },
    commands: [
      {
        message: recordStart,
        ack: ack(recordStart, camera, t0 + 200, { recording: true, visitId, streaming: true }),
        status: "succeeded",
      },
      { message: unlock, ack: ack(unlock, lock, t0 + 500, { lock: "unlocked", ...lockState }), status: "succeeded" },
      { message: relock, ack: ack(relock, lock, t0 + 9_200, { lock: "locked", ...lockState }), status: "succeeded" },
    ],
    deviceEvents: [
      event(cameraId, camera, 1, "camera.recording_started", t0 + 200),
      event(lockId, lock, 1, "lock.unlocked", t0 + 500),
      event(lockId, lock, 2, "door.opened", t0 + 2_000),
      event(lockId, lock, 3, "door.closed", t0 + 8_000),
      event(lockId, lock, 4, "lock.locked", t0 + 9_200),
    ],
    auditEvents,
    keys: {
      server: [{ kid: "k1", publicKey: exportPublicKey(server.publicKey) }],
      devices: [
        { deviceId: lockId, kind: "lock", publicKey: exportPublicKey(lock.publicKey) },
        { deviceId: cameraId, kind: "camera", publicKey: exportPublicKey(camera.publicKey) },
      ],
    },
    clip: null,
  };
  const cameraSigns = (type: EventMessage["type"], data: EventMessage["data"], at: number) =>
    signMessage({ v: 1 as const, deviceId: cameraId, id: newId("event"), seq: 9, at, type, data }, camera.privateKey);
  return { proof, cameraSigns };
}

/** A copy to tamper with, leaving the original intact. */
const copy = (proof: DeliveryProof): DeliveryProof => structuredClone(proof);

/** Flips one base64url character of a signature, keeping it well-formed. */
const flip = (sig: string) => `${sig.slice(0, 10)}${sig[10] === "A" ? "B" : "A"}${sig.slice(11)}`;

describe("verifyDeliveryProof (WebCrypto)", () => {
  const proof = buildProof();

  it("accepts a genuine proof, counting every signature, hash and link, as the protocol's verifier does", async () => {
    expect(verifyProof(proof).ok).toBe(true);
    const progress: [number, number][] = [];
    const result = await verifyDeliveryProof(proof, { onProgress: (done, total) => progress.push([done, total]) });
    expect(result).toEqual({ ok: true, signatures: 11, hashes: 5, links: 4, segments: 0, problems: [], notes: [] });
    expect(progress[0]).toEqual([0, 16]);
    expect(progress.at(-1)).toEqual([16, 16]);
  });

  it("rejects a tampered device signature and a tampered command", async () => {
    const bad = copy(proof);
    const event = bad.deviceEvents[2] as EventMessage;
    event.sig = flip(event.sig);
    const command = bad.commands[1]?.message as CommandMessage;
    command.expiresAt += 60_000;
    const result = await verifyDeliveryProof(bad);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      expect.stringMatching(/^Command unlock .*signature does not verify$/),
      expect.stringMatching(/^Device event door\.opened .*signature does not verify$/),
    ]);
  });

  it("rejects a signature by a key that is not the signer's", async () => {
    const bad = copy(proof);
    const [lockKey, cameraKey] = bad.keys.devices;
    if (!lockKey || !cameraKey) throw new Error("test proof has two devices");
    [lockKey.publicKey, cameraKey.publicKey] = [cameraKey.publicKey, lockKey.publicKey];
    const result = await verifyDeliveryProof(bad);
    expect(result.ok).toBe(false);
    expect(result.problems).toHaveLength(8);
    expect(result.problems.every((p) => p.endsWith("signature does not verify"))).toBe(true);
  });

  it("rejects an edited audit event", async () => {
    const bad = copy(proof);
    (bad.auditEvents[0] as AuditEvent).data = { courierFirstName: "Mallory", trackingNumber: "DEMO-1" };
    const result = await verifyDeliveryProof(bad);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual(["Audit event 41 (visit.authorized): hash does not match its content"]);
  });

  it("rejects a broken chain link even when the event's own hash is recomputed", async () => {
    const bad = copy(proof);
    const event = bad.auditEvents[3] as AuditEvent;
    const { hash: _old, ...unhashed } = { ...event, prevHash: "f".repeat(64) };
    Object.assign(event, { prevHash: unhashed.prevHash, hash: hashAuditEvent(unhashed) });
    const result = await verifyDeliveryProof(bad);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      "Audit event 44: does not link to event 43 before it",
      "Audit event 45: does not link to event 44 before it",
    ]);
  });

  it("rejects a proof whose lock never signed that it was locked and closed", async () => {
    const bad = copy(proof);
    bad.commands = bad.commands.filter((c) => c.message.action !== "lock");
    const result = await verifyDeliveryProof(bad);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual(["No signed answer from the lock shows the door locked and closed"]);
  });

  it("says so when the browser cannot check Ed25519, instead of blaming the proof", async () => {
    const noEd25519 = {
      importKey: () => Promise.reject(new DOMException("Unrecognized name.", "NotSupportedError")),
    } as unknown as SubtleCrypto;
    await expect(verifyDeliveryProof(proof, { subtle: noEd25519 })).rejects.toBeInstanceOf(VerifierUnavailableError);
  });
});

/**
 * A visit's clip as the server builds it: segments of one camera chained by the server-side
 * segmentChainHash (node:crypto), 2 s each from 4 s before the unlock, with their bytes served by a
 * stub fetch instead of the server.
 */
function withClip(proof: DeliveryProof, count = 8) {
  const cameraId = proof.keys.devices.find((d) => d.kind === "camera")?.deviceId ?? "";
  const from = Date.parse(proof.visit.openedAt ?? "") - 4_000;
  const bytes = new Map<string, Uint8Array>();
  const segments: ProofClipSegment[] = [];
  let prevHash = GENESIS_SEGMENT_HASH;
  for (let sequence = 0; sequence < count; sequence++) {
    const data = new TextEncoder().encode(`segment ${sequence} of ${cameraId}`);
    const member = { prevHash, deviceId: cameraId, sequence, startedAt: from + sequence * 2_000, durationMs: 2_000 };
    const contentSha256 = serverContentSha256(data);
    const chainHash = serverSegmentChainHash({ ...member, contentSha256 });
    const id = `seg_${String(sequence).padStart(4, "0")}`;
    const { deviceId: _camera, ...segment } = { ...member, id, contentSha256, chainHash };
    segments.push(cameraSigned(cameraId, segment));
    bytes.set(id, data);
    prevHash = chainHash;
  }
  const withVideo: DeliveryProof = {
    ...structuredClone(proof),
    clip: { cameraId, from, until: from + count * 2_000, state: "complete", segments },
  };
  const requested: string[] = [];
  const fetch: FetchFunction = async (url, init) => {
    requested.push(url);
    expect(init.credentials).toBe("same-origin");
    const id = /\/clip\/segments\/([^/]+)\.ts$/.exec(url)?.[1] ?? "";
    const data = bytes.get(id);
    return data ? new Response(new Uint8Array(data)) : new Response("not found", { status: 404 });
  };
  return { proof: withVideo, bytes, fetch, requested };
}

/** Re-chains a segment and every later one in the list after an edit, as a forger would: without the camera's key. */
function rechain(clip: NonNullable<DeliveryProof["clip"]>, from: number) {
  for (let i = from; i < clip.segments.length; i++) {
    const segment = clip.segments[i] as ProofClipSegment;
    if (i > from) segment.prevHash = (clip.segments[i - 1] as ProofClipSegment).chainHash;
    segment.chainHash = serverSegmentChainHash({ ...segment, deviceId: clip.cameraId });
  }
}

describe("verifyDeliveryProof: the visit's clip", () => {
  const genuine = buildProof();

  it("computes the same chain hash as the server's segmentChainHash, and refuses what it refuses", async () => {
    expect(WEB_GENESIS).toBe(GENESIS_SEGMENT_HASH);
    const input = {
      prevHash: GENESIS_SEGMENT_HASH,
      deviceId: "dev_camera_1",
      sequence: 0,
      startedAt: 1_764_048_000_000,
      durationMs: 2000,
      contentSha256: "f808a5c6".padEnd(64, "0"),
    };
    expect(await segmentChainHash(input)).toBe(serverSegmentChainHash(input));
    const next = { ...input, prevHash: serverSegmentChainHash(input), sequence: 1, startedAt: input.startedAt + 2000 };
    expect(await segmentChainHash(next)).toBe(serverSegmentChainHash(next));
    for (const bad of [
      { durationMs: 2000.5 },
      { startedAt: -1 },
      { sequence: Number.MAX_SAFE_INTEGER + 1 },
      { contentSha256: "F".repeat(64) },
      { prevHash: "0".repeat(63) },
      { deviceId: "" },
    ]) {
      expect(() => serverSegmentChainHash({ ...input, ...bad })).toThrow(TypeError);
      expect(await segmentChainHash({ ...input, ...bad })).toBeNull();
    }
  });

  it("accepts a genuine clip, downloading every segment and counting it, as the protocol's verifier does", async () => {
    const { proof, fetch, requested } = withClip(genuine);
    // 16 signatures and hashes, then each segment's chain hash and the camera's signature on it.
    expect(verifyProof(proof)).toMatchObject({ ok: true, checked: 16 + 8 + 8 });
    const progress: [number, number][] = [];
    const result = await verifyDeliveryProof(proof, {
      fetch,
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(result).toEqual({
      ok: true,
      signatures: 11 + 8,
      hashes: 5,
      links: 4,
      segments: 8,
      problems: [],
      // The test proof's camera signed no head (a camera older than the signed head).
      notes: ["The camera signed no chain head for this visit's video."],
    });
    // Each exactly once (a few at a time, so in any order).
    expect(requested.toSorted()).toEqual(
      proof.clip?.segments.map((s) => `/v1/visits/${proof.visit.id}/clip/segments/${s.id}.ts`),
    );
    expect(progress[0]).toEqual([0, 24]);
    expect(progress.at(-1)).toEqual([24, 24]);
  });

  it("rejects a broken link: a segment dropped from the middle of a stream", async () => {
    const { proof, fetch } = withClip(genuine);
    const clip = proof.clip as NonNullable<DeliveryProof["clip"]>;
    const [dropped] = clip.segments.splice(3, 1);
    const after = clip.segments[3] as ProofClipSegment;
    expect(verifyProof(proof).problems).toEqual([`clip segment ${after.id}: does not follow the segment before it`]);
    const result = await verifyDeliveryProof(proof, { fetch });
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([`Video segment 4 (${after.id}): does not follow the segment before it`]);
    expect(dropped?.sequence).toBe(3);
  });

  it("rejects edited video, even when the forger re-chained the hashes after it", async () => {
    const { proof, fetch, bytes } = withClip(genuine);
    const clip = proof.clip as NonNullable<DeliveryProof["clip"]>;
    const edited = clip.segments[5] as ProofClipSegment;
    // The server serves other bytes than the proof hashed: the chain is intact, the video is not.
    bytes.set(edited.id, new TextEncoder().encode("someone else's hallway"));
    const served = await verifyDeliveryProof(proof, { fetch });
    expect(served.ok).toBe(false);
    expect(served.segments).toBe(8);
    expect(served.problems).toEqual([`Video segment 5 (${edited.id}): the downloaded video does not match its hash`]);

    // The proof claims the edited bytes' hash and re-chains from there: the camera's links still break.
    const forged = structuredClone(proof);
    const forgedClip = forged.clip as NonNullable<DeliveryProof["clip"]>;
    const segment = forgedClip.segments[5] as ProofClipSegment;
    segment.contentSha256 = serverContentSha256(bytes.get(edited.id) as Uint8Array);
    segment.chainHash = serverSegmentChainHash({ ...segment, deviceId: forgedClip.cameraId });
    const result = await verifyDeliveryProof(forged, { fetch });
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      `Video segment 5 (${segment.id}): the camera's signature does not verify`,
      `Video segment 6 (${forgedClip.segments[6]?.id}): does not follow the segment before it`,
    ]);
    // A consistent chain: the camera's signatures on the segments it did not record still tell.
    rechain(forgedClip, 5);
    const rechained = forgedClip.segments.slice(5);
    expect(verifyProof(forged).problems).toEqual(
      rechained.map((s) => `clip segment ${s.id}: the camera's signature does not verify`),
    );
    expect((await verifyDeliveryProof(forged, { fetch })).problems).toEqual(
      rechained.map((s) => `Video segment ${s.sequence} (${s.id}): the camera's signature does not verify`),
    );
  });

  it("rejects a segment the camera did not sign, and a clip nothing vouches for, as the protocol's verifier does", async () => {
    const { proof, fetch } = withClip(genuine);
    const clip = proof.clip as NonNullable<DeliveryProof["clip"]>;
    const unsigned = clip.segments[7] as ProofClipSegment;
    delete unsigned.signature;
    expect(verifyProof(proof).problems).toEqual([`clip segment ${unsigned.id}: not signed by the camera`]);
    expect((await verifyDeliveryProof(proof, { fetch })).problems).toEqual([
      `Video segment 7 (${unsigned.id}): not signed by the camera`,
    ]);

    // A proof from before cameras signed their segments: nothing in its clip is the camera's word.
    const old = structuredClone(proof);
    for (const segment of old.clip?.segments ?? []) delete segment.signature;
    const expected = (old.clip?.segments ?? []).map(
      (s) => `Video segment ${s.sequence} (${s.id}): not signed by the camera`,
    );
    const result = await verifyDeliveryProof(old, { fetch });
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([...expected, CLIP_NOT_VOUCHED_FOR]);
    expect(verifyProof(old).problems.at(-1)).toBe(CLIP_NOT_VOUCHED_FOR);
    expect(verifyProof(old).problems).toHaveLength(expected.length + 1);

    // A camera key the proof does not carry: nothing can be checked against it.
    const keyless = structuredClone(proof);
    keyless.keys.devices = keyless.keys.devices.filter((d) => d.deviceId !== clip.cameraId);
    expect((await verifyDeliveryProof(keyless, { fetch })).problems).toContain(
      `Video: the proof has no public key for its camera ${clip.cameraId}`,
    );
    expect(verifyProof(keyless).problems).toContain(
      `clip: the proof has no public key for its camera ${clip.cameraId}`,
    );
  });

  it("rejects a segment whose chain hash does not match its members", async () => {
    const { proof, fetch } = withClip(genuine);
    const segment = proof.clip?.segments[2] as ProofClipSegment;
    segment.startedAt += 1_000; // stretched in time, hashes left alone
    const result = await verifyDeliveryProof(proof, { fetch });
    expect(result.problems).toEqual([`Video segment 2 (${segment.id}): chain hash does not match`]);
  });

  it("accepts a camera restart: a new stream from sequence 0 and the genesis hash", async () => {
    const { proof, fetch } = withClip(genuine);
    const clip = proof.clip as NonNullable<DeliveryProof["clip"]>;
    // The camera restarted after segment 3: the rest is a new stream, numbered and chained afresh.
    for (const [i, segment] of clip.segments.slice(4).entries()) {
      segment.sequence = i;
      segment.prevHash = i === 0 ? GENESIS_SEGMENT_HASH : (clip.segments[3 + i] as ProofClipSegment).chainHash;
      segment.chainHash = serverSegmentChainHash({ ...segment, deviceId: clip.cameraId });
      segment.signature = cameraSigned(clip.cameraId, segment).signature;
    }
    expect(verifyProof(proof).problems).toEqual([]);
    const result = await verifyDeliveryProof(proof, { fetch });
    expect(result).toMatchObject({ ok: true, segments: 8, problems: [] });

    // A restart must really start from the genesis hash: sequence 0 alone does not cut a link.
    const bad = structuredClone(proof);
    const restart = bad.clip?.segments[4] as ProofClipSegment;
    restart.prevHash = "a".repeat(64);
    restart.chainHash = serverSegmentChainHash({ ...restart, deviceId: bad.clip?.cameraId ?? "" });
    expect((await verifyDeliveryProof(bad, { fetch })).problems).toEqual([
      `Video segment 0 (${restart.id}): does not follow the segment before it`,
      `Video segment 0 (${restart.id}): the camera's signature does not verify`,
      `Video segment 1 (${bad.clip?.segments[5]?.id}): does not follow the segment before it`,
    ]);
  });

  it("notes, without failing, a clip that misses the door's moments or whose video cannot be downloaded", async () => {
    const { proof, fetch } = withClip(genuine, 2); // 4 s before the unlock to exactly the unlock
    proof.clip?.segments.shift();
    const missing: FetchFunction = async (url, init) =>
      url.includes("seg_0001") ? new Response("gone", { status: 404 }) : fetch(url, init);
    const result = await verifyDeliveryProof(proof, { fetch: missing });
    expect(result.ok).toBe(true);
    expect(result.segments).toBe(0);
    expect(result.notes).toEqual([
      "The clip has no video of the door being locked.",
      "The camera signed no chain head for this visit's video.",
      "1 of 1 video segments could not be downloaded, so their video was not checked.",
    ]);
    expect(verifyProof(proof).notes).toEqual([
      "The clip has no video of the door being locked.",
      "The camera signed no chain head for this visit's video.",
    ]);
  });

  it("checks the chain head the camera signed when the recording stopped", async () => {
    const { proof: signed, cameraSigns } = buildSignedProof();
    const { proof, fetch } = withClip(signed);
    const clip = proof.clip as NonNullable<DeliveryProof["clip"]>;
    const head = clip.segments[6] as ProofClipSegment;
    const stopped = (chainHash: string) =>
      cameraSigns(
        "camera.recording_stopped",
        { visitId: proof.visit.id, chainHash, sequence: head.sequence, startedAt: head.startedAt },
        head.startedAt + 2_500,
      );
    proof.deviceEvents.push(stopped(head.chainHash));
    expect(verifyProof(proof)).toMatchObject({ ok: true, notes: [] });
    expect(await verifyDeliveryProof(proof, { fetch })).toMatchObject({ ok: true, signatures: 12 + 8, notes: [] });

    // A clip re-chained from an edit on: consistent in itself, but not what the camera signed.
    rechain(clip, 4);
    clip.segments[4] = { ...(clip.segments[4] as ProofClipSegment), durationMs: 1_999 };
    rechain(clip, 4);
    const forged = await verifyDeliveryProof(proof, { fetch });
    const rechained = clip.segments.slice(4);
    expect(verifyProof(proof).problems).toEqual([
      ...rechained.map((s) => `clip segment ${s.id}: the camera's signature does not verify`),
      `clip segment ${head.id}: differs from the chain head the camera signed`,
    ]);
    expect(forged.problems).toEqual([
      ...rechained.map((s) => `Video segment ${s.sequence} (${s.id}): the camera's signature does not verify`),
      `Video segment 6 (${head.id}): differs from the chain head the camera signed`,
    ]);
  });
});

import { type AuditEvent, GENESIS_HASH, hashAuditEvent, newId } from "@threshold/core";
import {
  type AckMessage,
  type CommandMessage,
  type DeliveryProof,
  type EventMessage,
  exportPublicKey,
  generateEd25519,
  signMessage,
  verifyProof,
} from "@threshold/protocol";
import { describe, expect, it } from "vitest";
import { VerifierUnavailableError, verifyDeliveryProof } from "./proof-verify";

/**
 * A real proof, signed with node:crypto the way the server and the devices sign: the browser
 * verifier (WebCrypto) must accept it and catch every kind of tampering.
 */
function buildProof(): DeliveryProof {
  const server = generateEd25519();
  const lock = generateEd25519();
  const camera = generateEd25519();
  const lockId = newId("device");
  const cameraId = newId("device");
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

  return {
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
    expect(result).toEqual({ ok: true, signatures: 11, hashes: 5, links: 4, problems: [] });
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

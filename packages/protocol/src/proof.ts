import { type AuditEvent, hashAuditEvent } from "@threshold/core";
import { parseAck, parseCommand, parseEvent } from "./parse.js";
import type { AckMessage, CommandMessage, EventMessage } from "./schemas.js";
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
  /** Hashes of the visit's video segments (added with video). */
  clipHashes: string[];
}

export interface ProofCheck {
  ok: boolean;
  checked: number;
  problems: string[];
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
  return { ok: problems.length === 0, checked, problems };
}

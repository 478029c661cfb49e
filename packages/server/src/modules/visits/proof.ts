import { ThresholdError } from "@threshold/core";
import type { AckMessage, CommandMessage, DeliveryProof, EventMessage } from "@threshold/protocol";
import { fromRow } from "../../audit/audit-log.js";
import type { AppContext } from "../../context.js";
import { clipOfVisit } from "../video/clip-service.js";

/** Assembles the proof of a delivered shipment from what is stored: nothing is re-signed or recomputed. */
export async function buildProof(
  ctx: Pick<AppContext, "db" | "keyring" | "clock" | "config">,
  shipmentId: string,
): Promise<DeliveryProof> {
  const { db } = ctx;
  const shipment = await db.selectFrom("shipments").selectAll().where("id", "=", shipmentId).executeTakeFirstOrThrow();
  if (!shipment.delivered_visit_id) {
    throw new ThresholdError(
      "conflict",
      "This shipment has not been delivered yet; its proof exists once the door is proven locked.",
    );
  }
  const visit = await db
    .selectFrom("visits")
    .selectAll()
    .where("id", "=", shipment.delivered_visit_id)
    .executeTakeFirstOrThrow();
  const deviceIds = [visit.lock_device_id, visit.camera_device_id].filter((id): id is string => id !== null);
  const [commands, events, audit, devices, courier, clip] = await Promise.all([
    db
      .selectFrom("commands")
      .selectAll()
      .where("device_id", "in", deviceIds)
      .where("issued_at", ">=", visit.requested_at)
      .where("issued_at", "<=", visit.ended_at ?? Date.now())
      .orderBy("issued_at")
      .execute(),
    db
      .selectFrom("device_events")
      .select("message")
      .where("device_id", "in", deviceIds)
      .where("received_at", ">=", visit.requested_at)
      // The camera's signed chain head comes with its recording_stopped, just after the end.
      .where("received_at", "<=", (visit.ended_at ?? Date.now()) + 5_000)
      .orderBy("received_at")
      .execute(),
    db
      .selectFrom("audit_events")
      .selectAll()
      .where("subject_id", "in", [visit.id, shipment.id])
      .orderBy("seq")
      .execute(),
    db.selectFrom("devices").select(["id", "kind", "public_key"]).where("id", "in", deviceIds).execute(),
    db.selectFrom("users").select("name").where("id", "=", visit.courier_id).executeTakeFirst(),
    clipOfVisit(ctx, visit.id),
  ]);
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    version: 1,
    shipment: {
      id: shipment.id,
      trackingNumber: shipment.tracking_number,
      method: shipment.method,
      deliveredAt: iso(shipment.delivered_at),
    },
    visit: {
      id: visit.id,
      status: visit.status,
      courierFirstName: courier?.name.split(/\s+/)[0] ?? "",
      requestedAt: new Date(visit.requested_at).toISOString(),
      openedAt: iso(visit.opened_at),
      securedAt: iso(visit.secured_at),
    },
    commands: commands
      .filter((c) => c.signature !== null && (JSON.parse(c.params) as { visitId?: string }).visitId === visit.id)
      .map((c) => ({
        message: {
          v: 1,
          id: c.id,
          deviceId: c.device_id,
          kid: c.kid,
          issuedAt: c.issued_at,
          expiresAt: c.expires_at,
          action: c.action as CommandMessage["action"],
          params: JSON.parse(c.params) as CommandMessage["params"],
          sig: c.signature as string,
        },
        ack: c.ack ? (JSON.parse(c.ack) as AckMessage) : null,
        status: c.status,
      })),
    deviceEvents: events.map((e) => JSON.parse(e.message) as EventMessage),
    auditEvents: audit.map(fromRow),
    keys: {
      server: ctx.keyring.publicKeys().map((k) => ({ kid: k.kid, publicKey: k.publicKey })),
      devices: devices.map((d) => ({ deviceId: d.id, kind: d.kind, publicKey: d.public_key })),
    },
    clip: clip && {
      cameraId: clip.cameraId,
      from: clip.from,
      until: clip.until,
      state: clip.status.state,
      segments: clip.segments.map((s) => ({
        id: s.id,
        sequence: s.sequence,
        startedAt: s.started_at,
        durationMs: s.duration_ms,
        contentSha256: s.content_sha256,
        prevHash: s.prev_hash,
        chainHash: s.chain_hash,
        signature: s.signature,
      })),
    },
  };
}

import type { Clock } from "@threshold/core";
import type { Logger } from "pino";
import { type AuditLog, SYSTEM_ACTOR } from "../audit/audit-log.js";
import type { SessionTakeover } from "./broker.js";

/** Audit event types of a device's MQTT session taken over (hostile finding 6c, issue 15). */
export const TAKEOVER_EVENTS = {
  /** Someone connected with the device's client id while it was connected; the broker dropped the device. */
  takenOver: "device.session_taken_over",
  /** The owner's alert: takeovers keep coming, so the device's credentials are likely in other hands. */
  repeated: "device.takeovers_repeated",
} as const;

/**
 * How many takeovers within how long alert the owner. One takeover is what a device whose network
 * dropped half-open does when it reconnects before the broker noticed; three in ten minutes is
 * two parties fighting over one identity.
 */
export const TAKEOVER_ALERT = { count: 3, windowMs: 10 * 60_000 } as const;

/**
 * MQTT's rule stands: a new connection with a client id takes the session over from the old one.
 * A stolen device credential can use it to knock the real device off the broker, so every takeover
 * is recorded on the device (count, latest time, an audit event its owner sees) and repeated ones
 * raise an alert, at most one per window.
 */
export class SessionTakeovers {
  constructor(private readonly deps: { audit: AuditLog; clock: Clock; log: Logger }) {}

  async record(takeover: SessionTakeover): Promise<void> {
    const now = this.deps.clock.now();
    const { deviceId, address } = takeover;
    await this.deps.audit.transaction(async (trx, record) => {
      const device = await trx
        .updateTable("devices")
        .set((eb) => ({ takeover_count: eb("takeover_count", "+", 1), last_takeover_at: now }))
        .where("id", "=", deviceId)
        .where("removed_at", "is", null)
        .returning(["id", "site_id", "takeover_count"])
        .executeTakeFirst();
      if (!device) return;
      this.deps.log.warn({ deviceId, address }, "a device's MQTT session was taken over by a new connection");
      const subject = { subjectType: "device", subjectId: device.id, siteId: device.site_id, actor: SYSTEM_ACTOR };
      record({
        ...subject,
        type: TAKEOVER_EVENTS.takenOver,
        data: { deviceId: device.id, at: now, address, count: device.takeover_count ?? null },
      });
      const recent = await trx
        .selectFrom("audit_events")
        .select("type")
        .where("subject_id", "=", device.id)
        .where("type", "in", [TAKEOVER_EVENTS.takenOver, TAKEOVER_EVENTS.repeated])
        .where("at", ">", now - TAKEOVER_ALERT.windowMs)
        .execute();
      // This takeover's own event is appended at commit, so it is not among them yet.
      const takeovers = recent.filter((event) => event.type === TAKEOVER_EVENTS.takenOver).length + 1;
      const alerted = recent.some((event) => event.type === TAKEOVER_EVENTS.repeated);
      if (takeovers < TAKEOVER_ALERT.count || alerted) return;
      record({
        ...subject,
        type: TAKEOVER_EVENTS.repeated,
        data: {
          deviceId: device.id,
          takeovers,
          windowMs: TAKEOVER_ALERT.windowMs,
          lastAt: now,
          address,
          alert: "owner",
        },
      });
    });
  }
}

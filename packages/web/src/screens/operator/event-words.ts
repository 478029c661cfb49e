import { type EventType, FORMER_EVENT_TYPES, isEventType } from "@threshold/core/event-types";
import type { AuditEvent } from "./operator-data";

/**
 * Audit event types in words an operator reads at a glance; types without words fall back to the
 * type itself. Keyed by the one list of event types, so a misspelt or retired name does not compile;
 * events stored under a former name are read under their current one.
 */
const EVENT_WORDS: Partial<Record<EventType, string>> = {
  "visit.authorized": "Visit authorized: the courier's scan passed every rule",
  "visit.refused": "Visit refused",
  "visit.opening": "Unlocking",
  "visit.opened": "Door opened for the courier",
  "visit.securing": "Courier finished; locking",
  "visit.secure_refused": "Courier's finish refused: door not proven locked",
  "visit.secured": "Door proven locked and closed",
  "visit.aborted": "Visit aborted",
  "visit.incident": "Incident raised",
  "visit.door_secured": "Door proven locked by a retry (not a delivery)",
  "incident.resolved": "Incident resolved",
  "command.created": "Signed command sent",
  "command.succeeded": "Device carried out the command",
  "command.failed": "Device could not carry out the command",
  "command.rejected": "Device rejected the command",
  "command.timed_out": "Command timed out",
  "shipment.created": "Shipment created",
  "shipment.assigned": "Shipment assigned to a courier",
  "shipment.delivered": "Shipment delivered",
  "shipment.rescheduled": "Shipment's delivery window moved",
  "device.paired": "Device paired",
  "device.renamed": "Device renamed",
  "device.removed": "Device removed",
  "consent.updated": "Consent changed",
  "access.blocked": "All access blocked",
  "access.unblocked": "Access unblocked",
  "access_point.created": "Access point added",
  "access_point.removed": "Access point removed",
  "site.created": "Site created",
  "carrier.created": "Carrier created",
  "account.created": "Account created",
  "account.signed_in": "Signed in",
  "account.signed_out": "Signed out",
  "api_key.created": "API key created",
  "api_key.revoked": "API key revoked",
  "webhook_endpoint.created": "Webhook endpoint added",
  "webhook_endpoint.disabled": "Webhook endpoint disabled",
  "server_key.rotated": "Server signing key rotated",
};

function text(value: unknown): string | null {
  return typeof value === "string" && value.length > 0 ? value : null;
}

/** The detail worth a second line: what a command asked, why something was refused or how it was resolved. */
export function eventDetail(event: AuditEvent): string | null {
  const data = event.data;
  const parts: string[] = [];
  const action = text(data.action);
  if (action) parts.push(`${action}${text(data.deviceId) ? ` → ${data.deviceId}` : ""}`);
  for (const key of ["reason", "kind", "detail", "resolution", "outcome"] as const) {
    const value = text(data[key]);
    if (value) parts.push(value);
  }
  const codes = data.codes;
  if (Array.isArray(codes) && codes.length > 0) parts.push(`rules failed: ${codes.join(", ")}`);
  return parts.length > 0 ? parts.join(" · ") : null;
}

export function eventWords(event: Pick<AuditEvent, "type">): string {
  const type = FORMER_EVENT_TYPES[event.type] ?? event.type;
  return (isEventType(type) ? EVENT_WORDS[type] : undefined) ?? event.type;
}

/** Who did it: a person or key by id, a device, or the server itself. */
export function actorWords(event: Pick<AuditEvent, "actorType" | "actorId">): string {
  if (event.actorType === "system") return "Threshold";
  return event.actorId ? `${event.actorType} ${event.actorId}` : event.actorType;
}

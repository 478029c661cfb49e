import type { AuditEvent } from "@threshold/core";

/** The event as GET /v1/audit/events returns it: the stored fact with `at` as an ISO time. */
export function eventJson(event: AuditEvent): string {
  return JSON.stringify({ ...event, at: new Date(event.at).toISOString() });
}

/** One Server-Sent Events message: the seq is its id, so a reconnecting client resumes after it. */
export function sseMessage(event: AuditEvent): string {
  // JSON.stringify escapes line breaks, so `data` is one line; the type is ours, but never trust a newline.
  return `id: ${event.seq}\nevent: ${event.type.replace(/[\r\n]/g, "")}\ndata: ${eventJson(event)}\n\n`;
}

/** A comment line: clients ignore it, proxies see traffic. */
export const SSE_HEARTBEAT = ": keep-alive\n\n";

/**
 * One connection to GET /v1/events/stream per signed-in recipient, shared by every screen that
 * listens. The browser sends the session cookie itself (same origin). EventSource reconnects on its
 * own and resumes with Last-Event-ID; when it gives up (e.g. the server restarted behind a 502),
 * we open a new one from the last seq we saw, so nothing is missed either way.
 */

import type { EventType } from "@threshold/core/event-types";

/** An audit event as the stream sends it (the same JSON as GET /v1/audit/events). */
export interface StreamedEvent {
  seq: number;
  type: string;
  subjectType: string;
  subjectId: string;
  siteId: string | null;
  data: Record<string, unknown>;
}

export interface StreamListener {
  onEvent(event: StreamedEvent): void;
  /** The stream is (re)connected: anything may have changed while it was not, so reload state. */
  onOpen?(): void;
}

/**
 * The server names each message by its event type, and EventSource only delivers named messages
 * to listeners of that name: these are the types a recipient's screens react to.
 */
const LISTENED_TYPES = [
  "visit.authorized",
  "visit.opening",
  "visit.opened",
  "visit.securing",
  "visit.secured",
  "visit.secure_refused",
  "visit.aborted",
  "visit.incident",
  "visit.door_secured",
  "visit.refused",
  "incident.opened",
  "incident.resolved",
  "shipment.created",
  "shipment.assigned",
  "shipment.delivered",
  // Guest keys (docs/guest-keys.md): the owner is told of every use, and the keys page follows.
  "guest_key.active",
  "guest_key.failed",
  "guest_key.used",
  "guest_key.revoked",
  "guest_key.expired",
  "guest_key.removed_from_lock",
  "guest_key.paused",
  "guest_key.resumed",
  "guest_key.lock_updated",
  // A device's MQTT session taken over (docs/operations.md): the Devices page follows, repeats alert.
  "device.session_taken_over",
  "device.takeovers_repeated",
] as const satisfies readonly EventType[];

/** Navigating between screens unsubscribes and resubscribes at once; the connection outlives that. */
const CLOSE_GRACE_MS = 3_000;
const RETRY_MS = 5_000;

interface Connection {
  userId: string;
  source: EventSource | null;
  listeners: Set<StreamListener>;
  lastSeq: number | null;
  closeTimer: ReturnType<typeof setTimeout> | null;
  retryTimer: ReturnType<typeof setTimeout> | null;
}

let connection: Connection | null = null;

function parse(data: string): StreamedEvent | null {
  try {
    const event = JSON.parse(data) as Partial<StreamedEvent>;
    if (typeof event.seq !== "number" || typeof event.type !== "string" || typeof event.subjectId !== "string") {
      return null;
    }
    return { subjectType: "", siteId: null, data: {}, ...event } as StreamedEvent;
  } catch {
    return null;
  }
}

function open(conn: Connection): void {
  const url = conn.lastSeq === null ? "/v1/events/stream" : `/v1/events/stream?after=${conn.lastSeq}`;
  const source = new EventSource(url);
  conn.source = source;
  source.addEventListener("open", () => {
    for (const listener of conn.listeners) listener.onOpen?.();
  });
  const deliver = (message: MessageEvent<string>) => {
    const event = parse(message.data);
    if (!event) return;
    conn.lastSeq = event.seq;
    for (const listener of conn.listeners) listener.onEvent(event);
  };
  for (const type of LISTENED_TYPES) source.addEventListener(type, deliver);
  source.addEventListener("error", () => {
    // CONNECTING: EventSource retries by itself. CLOSED: it gave up, so we try again later.
    if (source.readyState !== EventSource.CLOSED || connection !== conn) return;
    conn.source = null;
    conn.retryTimer ??= setTimeout(() => {
      conn.retryTimer = null;
      if (connection === conn) open(conn);
    }, RETRY_MS);
  });
}

function close(conn: Connection): void {
  conn.source?.close();
  if (conn.closeTimer) clearTimeout(conn.closeTimer);
  if (conn.retryTimer) clearTimeout(conn.retryTimer);
  if (connection === conn) connection = null;
}

/**
 * Listens to the event stream of `userId`. A different user's connection is closed first, so one
 * person's events can never reach the next person signed in on the same tab. Returns the unsubscribe.
 */
export function subscribeToEvents(userId: string, listener: StreamListener): () => void {
  if (connection && connection.userId !== userId) close(connection);
  if (!connection) {
    connection = { userId, source: null, listeners: new Set(), lastSeq: null, closeTimer: null, retryTimer: null };
    open(connection);
  } else if (connection.source?.readyState === EventSource.OPEN) {
    // Joining a connection that is already up: the listener missed its open, so it loads now.
    queueMicrotask(() => listener.onOpen?.());
  }
  const conn = connection;
  if (conn.closeTimer) {
    clearTimeout(conn.closeTimer);
    conn.closeTimer = null;
  }
  conn.listeners.add(listener);
  return () => {
    conn.listeners.delete(listener);
    if (conn.listeners.size > 0 || conn.closeTimer) return;
    conn.closeTimer = setTimeout(() => close(conn), CLOSE_GRACE_MS);
  };
}

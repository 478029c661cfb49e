import { useEffect, useRef, useState } from "react";
import { Link } from "react-router";
import { useSession } from "../../session";
import { type LiveVisit, useAccessPointName, useLiveUpdates, useVisitsInProgress } from "./live-data";
import type { StreamedEvent } from "./live-stream";

/** How a visit ended, as the banner says it for a moment after. */
type Ending = "secured" | "aborted" | "incident";

interface EndedVisit {
  visitId: string;
  ending: Ending;
  shipmentId: string | null;
  /** The incident's kind (not_secured, lock_failed, camera_lost…), when it is one. */
  kind: string | null;
  /** When the message goes away by itself; null keeps it until dismissed (an incident). */
  until: number | null;
}

const ENDINGS: Record<string, Ending> = {
  "visit.secured": "secured",
  "visit.aborted": "aborted",
  "visit.incident": "incident",
};

/** A finished delivery is said briefly; a door not proven locked stays until the person has seen it. */
const SHOW_ENDED_MS = 10_000;

/** Someone opened a door with a guest key (docs/guest-keys.md). */
interface GuestUse {
  eventSeq: number;
  name: string;
  accessPointId: string | null;
  /** The key was revoked, but the lock (offline) had not heard yet. */
  afterRevocation: boolean;
  /** The block switch had paused the key, but the lock (offline) had not heard yet. */
  whileBlocked: boolean;
  until: number | null;
}

/** Someone keeps taking a device's connection over with its credentials (docs/operations.md): stays until dismissed. */
interface TakeoverAlert {
  eventSeq: number;
  deviceId: string;
  takeovers: number;
}

function takeoverAlertOf(event: StreamedEvent): TakeoverAlert | null {
  if (event.type !== "device.takeovers_repeated") return null;
  return {
    eventSeq: event.seq,
    deviceId: event.subjectId,
    takeovers: typeof event.data.takeovers === "number" ? event.data.takeovers : 0,
  };
}

function guestUseOf(event: StreamedEvent): GuestUse | null {
  if (event.type !== "guest_key.used") return null;
  const afterRevocation = event.data.afterRevocation === true;
  const whileBlocked = event.data.whileBlocked === true;
  return {
    eventSeq: event.seq,
    name: typeof event.data.name === "string" ? event.data.name : "A guest",
    accessPointId: typeof event.data.accessPointId === "string" ? event.data.accessPointId : null,
    afterRevocation,
    whileBlocked,
    // A use the person did not want stays until they have seen it.
    until: afterRevocation || whileBlocked ? null : Date.now() + SHOW_ENDED_MS,
  };
}

function endingOf(event: StreamedEvent): EndedVisit | null {
  const ending = event.subjectType === "visit" ? ENDINGS[event.type] : undefined;
  if (!ending) return null;
  const shipmentId = typeof event.data.shipmentId === "string" ? event.data.shipmentId : null;
  return {
    visitId: event.subjectId,
    ending,
    shipmentId,
    kind: typeof event.data.kind === "string" ? event.data.kind : null,
    until: ending === "incident" ? null : Date.now() + SHOW_ENDED_MS,
  };
}

function incidentSentence(kind: string | null, door: string | null): string {
  if (kind === "camera_lost") {
    return `The camera stopped sending video while ${door ?? "your door"} was open. Threshold has alerted the carrier and keeps trying to lock the door.`;
  }
  return `${door ?? "Your door"} was not confirmed locked. Threshold is retrying the lock and has alerted the carrier.`;
}

function liveSentence(visit: LiveVisit): string {
  const who = visit.courierFirstName || "A courier";
  const door = visit.accessPointName ?? "your door";
  return visit.status === "securing" ? `${who} is locking ${door} now` : `${who} is delivering to ${door} now`;
}

/**
 * The recipient's live banner, under the top bar of every recipient screen: who is at which door
 * right now, with a way to watch; then, briefly, how it ended. It shows visits already in progress
 * when the page loads, and follows the event stream within a second after that.
 */
export function LiveBanner() {
  const { me } = useSession();
  const visits = useVisitsInProgress(me.role === "recipient");
  const [ended, setEnded] = useState<EndedVisit[]>([]);
  const [guestUses, setGuestUses] = useState<GuestUse[]>([]);
  const [takeovers, setTakeovers] = useState<TakeoverAlert[]>([]);

  useLiveUpdates((event) => {
    const takeover = takeoverAlertOf(event);
    if (takeover) setTakeovers((list) => [...list.filter((t) => t.deviceId !== takeover.deviceId), takeover]);
    const ending = endingOf(event);
    if (ending) setEnded((list) => [...list.filter((e) => e.visitId !== ending.visitId), ending]);
    const use = guestUseOf(event);
    if (use) setGuestUses((list) => [...list.filter((u) => u.eventSeq !== use.eventSeq), use]);
  });

  // Each passing message goes when its time is up.
  const nextExpiry = Math.min(...[...ended, ...guestUses].map((e) => e.until ?? Number.POSITIVE_INFINITY));
  useEffect(() => {
    if (!Number.isFinite(nextExpiry)) return;
    const stillShown = <T extends { until: number | null }>(list: T[]) =>
      list.filter((e) => e.until === null || e.until > Date.now());
    const timer = setTimeout(
      () => {
        setEnded(stillShown);
        setGuestUses(stillShown);
      },
      Math.max(0, nextExpiry - Date.now()),
    );
    return () => clearTimeout(timer);
  }, [nextExpiry]);

  // The in-progress list may lag the stream by a moment: an ended visit is not shown as live.
  const endedIds = new Set(ended.map((e) => e.visitId));
  const live = (visits.data ?? []).filter((v) => v.id !== null && !endedIds.has(v.id));
  const doors = useRememberedDoors(visits.data);

  if (live.length === 0 && ended.length === 0 && guestUses.length === 0 && takeovers.length === 0) return null;
  return (
    <div className="live-banners" aria-live="polite">
      {takeovers.map((alert) => (
        <section key={alert.eventSeq} aria-label="Device alert" className="banner live-banner live-banner-bad">
          <p className="live-banner-text">
            A device's connection was taken over {alert.takeovers} times in a few minutes: someone else may have its
            credentials.
          </p>
          <Link to="/devices" className="button button-secondary live-banner-action">
            Devices
          </Link>
          <button
            type="button"
            className="button button-ghost live-banner-action"
            onClick={() => setTakeovers((list) => list.filter((t) => t.eventSeq !== alert.eventSeq))}
          >
            Dismiss
          </button>
        </section>
      ))}
      {live.map((visit) => (
        <section key={visit.id} aria-label="Live delivery" className="banner live-banner">
          <span className="live-banner-dot" aria-hidden="true" />
          <p className="live-banner-text">{liveSentence(visit)}</p>
          <Link to={`/live/${visit.id}`} className="button button-primary live-banner-action">
            Watch live
          </Link>
        </section>
      ))}
      {guestUses.map((use) => (
        <GuestUseBanner
          key={use.eventSeq}
          use={use}
          onDismiss={() => setGuestUses((list) => list.filter((u) => u.eventSeq !== use.eventSeq))}
        />
      ))}
      {ended.map((visit) => (
        <EndedBanner
          key={visit.visitId}
          visit={visit}
          door={doors.get(visit.visitId) ?? null}
          onDismiss={() => setEnded((list) => list.filter((e) => e.visitId !== visit.visitId))}
        />
      ))}
    </div>
  );
}

/** The doors of visits seen in progress, so the message after they end can still name the door. */
function useRememberedDoors(visits: LiveVisit[] | undefined): Map<string, string> {
  const doors = useRef(new Map<string, string>());
  for (const visit of visits ?? []) {
    if (visit.id && visit.accessPointName) doors.current.set(visit.id, visit.accessPointName);
  }
  return doors.current;
}

function EndedBanner({ visit, door, onDismiss }: { visit: EndedVisit; door: string | null; onDismiss(): void }) {
  const tone = visit.ending === "secured" ? "live-banner-ok" : "live-banner-bad";
  return (
    <section aria-label="Live delivery" className={`banner live-banner ${tone}`}>
      <p className="live-banner-text">
        {visit.ending === "secured" && "Door locked — delivery complete"}
        {visit.ending === "aborted" && `Delivery stopped — ${door ?? "your door"} stayed locked`}
        {visit.ending === "incident" && incidentSentence(visit.kind, door)}
      </p>
      {visit.ending === "secured" && visit.shipmentId ? (
        <Link to={`/deliveries/${visit.shipmentId}`} className="button button-secondary live-banner-action">
          See proof
        </Link>
      ) : (
        <Link to={`/live/${visit.visitId}`} className="button button-secondary live-banner-action">
          Details
        </Link>
      )}
      {visit.until === null ? (
        <button type="button" className="button button-ghost live-banner-action" onClick={onDismiss}>
          Dismiss
        </button>
      ) : null}
    </section>
  );
}

function guestUseSentence(use: GuestUse, door: string): string {
  if (use.afterRevocation) {
    return `${use.name} opened ${door} with a key you revoked: the lock was offline and had not heard yet. It is being removed now.`;
  }
  if (use.whileBlocked) {
    return `${use.name} opened ${door} with their guest key while access was blocked: the lock was offline and had not heard yet. It is being paused now.`;
  }
  return `${use.name} opened ${door} with their guest key`;
}

function GuestUseBanner({ use, onDismiss }: { use: GuestUse; onDismiss(): void }) {
  const door = useAccessPointName(use.accessPointId).data ?? "your door";
  return (
    <section
      aria-label="Guest key used"
      className={`banner live-banner ${use.afterRevocation || use.whileBlocked ? "live-banner-bad" : "live-banner-ok"}`}
    >
      <p className="live-banner-text">{guestUseSentence(use, door)}</p>
      <Link to="/keys" className="button button-secondary live-banner-action">
        Keys
      </Link>
      <button type="button" className="button button-ghost live-banner-action" onClick={onDismiss}>
        Dismiss
      </button>
    </section>
  );
}

import { type FormEvent, useId, useState } from "react";
import { Link, useParams } from "react-router";
import { Button } from "../../ui/button";
import { ErrorNote, QueryState } from "../../ui/feedback";
import { formatClock, formatDateTime } from "../../ui/format";
import { actorWords, eventDetail, eventWords } from "./event-words";
import { IncidentStatus } from "./Incidents";
import {
  type AuditEvent,
  type IncidentDetail as Detail,
  type ResolveIncidentBody,
  useIncident,
  useResolveIncident,
} from "./operator-data";
import { INCIDENT_OUTCOME_WORDS, incidentKindWords } from "./words";

/** The server refuses shorter notes; saying so first saves a round trip. */
const MIN_NOTE = 3;

function Timeline({ events }: { events: AuditEvent[] }) {
  if (events.length === 0) return <p className="note">No audit events recorded for this incident.</p>;
  return (
    <ol className="timeline op-timeline" aria-label="Timeline">
      {events.map((event) => {
        const detail = eventDetail(event);
        return (
          <li key={event.id}>
            <div className="spread">
              <strong>{eventWords(event)}</strong>
              <time className="small muted" dateTime={event.at}>
                {formatClock(event.at)}
              </time>
            </div>
            {detail ? <div className="small">{detail}</div> : null}
            <div className="small muted">
              #{event.seq} · {event.type} · {actorWords(event)}
            </div>
          </li>
        );
      })}
    </ol>
  );
}

type Outcome = NonNullable<ResolveIncidentBody["outcome"]>;

function ResolveForm({ incidentId }: { incidentId: string }) {
  const noteId = useId();
  const [note, setNote] = useState("");
  const [outcome, setOutcome] = useState<Outcome | "">("");
  const resolve = useResolveIncident(incidentId);
  const tooShort = note.trim().length < MIN_NOTE;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (tooShort) return;
    resolve.mutate({ resolution: note.trim(), ...(outcome ? { outcome } : {}) });
  }

  return (
    <form className="card stack" onSubmit={submit} aria-label="Resolve incident">
      <h2>Resolve</h2>
      <label htmlFor={noteId}>
        Resolution note
        <textarea
          id={noteId}
          value={note}
          onChange={(event) => setNote(event.target.value)}
          required
          minLength={MIN_NOTE}
          maxLength={1000}
          placeholder="What you checked and what you did, e.g. camera shows the door locked; called the recipient."
        />
      </label>
      <fieldset className="stack">
        <legend>The parcel</legend>
        {/* A relock only made the door safe: the shipment is delivered only if someone says so. */}
        {(["delivered", "not_delivered"] as const).map((value) => (
          <label key={value} className="checkbox">
            <input
              type="radio"
              name="outcome"
              value={value}
              checked={outcome === value}
              onChange={() => setOutcome(value)}
            />{" "}
            {value === "delivered" ? "Delivered: it is inside" : "Not delivered"}
          </label>
        ))}
        <label className="checkbox">
          <input type="radio" name="outcome" value="" checked={outcome === ""} onChange={() => setOutcome("")} /> Leave
          the shipment as it is
        </label>
      </fieldset>
      <p className="small muted">The note is recorded in the audit log with your name.</p>
      {resolve.isError ? <ErrorNote error={resolve.error} title="Not resolved." /> : null}
      <Button type="submit" pending={resolve.isPending} pendingLabel="Resolving…" disabled={tooShort}>
        Resolve incident
      </Button>
    </form>
  );
}

type DoorClosed = NonNullable<Detail["incident"]["doorClosed"]>;

/** What closed the door, in words (the server says only what it knows). */
const CLOSED_BY_WORDS: Record<DoorClosed["by"], string> = {
  courier: "the courier's Done",
  watchdog: "Threshold's automatic close",
  owner_app: "the owner, from the app",
  auto_close: "the opener's own auto-close",
  at_the_door: "someone at the door (by hand or the wall button)",
};

function closedSentence(closed: DoorClosed): string {
  return `The garage was proven closed at ${formatDateTime(closed.at)}, by ${CLOSED_BY_WORDS[closed.by]}.`;
}

/** The door is proven closed: one tap resolves the incident, saying so in the audit log. */
function ResolveClosed({ incidentId, closed }: { incidentId: string; closed: DoorClosed }) {
  const resolve = useResolveIncident(incidentId);
  return (
    <section className="card stack" aria-label="Resolve: closed">
      <p className="note note-ok">{closedSentence(closed)}</p>
      {resolve.isError ? <ErrorNote error={resolve.error} title="Not resolved." /> : null}
      <Button
        size="large"
        pending={resolve.isPending}
        pendingLabel="Resolving…"
        onClick={() => resolve.mutate({ resolution: `${closedSentence(closed)} Resolved in one tap.` })}
      >
        It's closed: resolve
      </Button>
    </section>
  );
}

function Summary({ detail }: { detail: Detail }) {
  const { incident } = detail;
  return (
    <section className="card stack" aria-label="Incident">
      <div className="spread">
        <h1>{incidentKindWords(incident.kind)}</h1>
        <IncidentStatus incident={incident} />
      </div>
      <p>{incident.detail}</p>
      {incident.doorClosed && incident.status !== "open" ? (
        <p className="note note-ok">{closedSentence(incident.doorClosed)}</p>
      ) : null}
      <dl className="facts">
        <dt>Opened</dt>
        <dd>{formatDateTime(incident.openedAt)}</dd>
        <dt>Site</dt>
        <dd>
          <code>{incident.siteId}</code>
        </dd>
        <dt>Visit</dt>
        <dd>
          <code>{incident.visitId}</code>
        </dd>
        {incident.resolvedAt ? (
          <>
            <dt>Resolved</dt>
            <dd>
              {formatDateTime(incident.resolvedAt)} by <code>{incident.resolvedBy}</code>
            </dd>
          </>
        ) : null}
        {incident.outcome ? (
          <>
            <dt>Parcel</dt>
            <dd>{INCIDENT_OUTCOME_WORDS[incident.outcome] ?? incident.outcome}</dd>
          </>
        ) : null}
      </dl>
      {incident.resolution ? (
        <p className="note note-ok" role="status">
          Resolved: {incident.resolution}
        </p>
      ) : null}
    </section>
  );
}

/** One incident: what happened, step by step from the audit chain, and resolving it with a note. */
export function IncidentDetail() {
  const { incidentId = "" } = useParams();
  const incident = useIncident(incidentId);
  return (
    <div className="stack op-page">
      <Link to="/incidents" className="small tap-link">
        ← All incidents
      </Link>
      <QueryState query={incident} loading="Loading the incident…">
        {(detail) => (
          <>
            <Summary detail={detail} />
            {detail.incident.status === "open" && detail.incident.doorClosed ? (
              <ResolveClosed incidentId={detail.incident.id} closed={detail.incident.doorClosed} />
            ) : null}
            {detail.incident.status === "open" ? <ResolveForm incidentId={detail.incident.id} /> : null}
            <section className="card stack">
              <h2>Timeline</h2>
              <Timeline events={detail.timeline} />
            </section>
          </>
        )}
      </QueryState>
    </div>
  );
}

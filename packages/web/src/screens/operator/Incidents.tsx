import { Link } from "react-router";
import { QueryState } from "../../ui/feedback";
import { formatDateTime } from "../../ui/format";
import { type Incident, useIncidents } from "./operator-data";
import { incidentKindWords } from "./words";

export function IncidentStatus({ incident }: { incident: Pick<Incident, "status"> }) {
  return incident.status === "open" ? (
    <span className="pill pill-bad">Open</span>
  ) : (
    <span className="pill pill-ok">Resolved</span>
  );
}

function IncidentItem({ incident }: { incident: Incident }) {
  return (
    <li className="card stack op-incident">
      <div className="spread">
        <h3>
          <Link to={`/incidents/${incident.id}`}>{incidentKindWords(incident.kind)}</Link>
        </h3>
        <IncidentStatus incident={incident} />
      </div>
      <p className="op-incident-detail">{incident.detail}</p>
      <p className="small muted">
        Opened {formatDateTime(incident.openedAt)} · site <code>{incident.siteId}</code> · visit{" "}
        <code>{incident.visitId}</code>
        {incident.resolvedAt ? ` · resolved ${formatDateTime(incident.resolvedAt)}` : ""}
      </p>
    </li>
  );
}

function IncidentSection({ title, incidents }: { title: string; incidents: Incident[] }) {
  if (incidents.length === 0) return null;
  return (
    <section className="stack" aria-label={title}>
      <h2>
        {title} <span className="muted">({incidents.length})</span>
      </h2>
      <ul className="list">
        {incidents.map((incident) => (
          <IncidentItem key={incident.id} incident={incident} />
        ))}
      </ul>
    </section>
  );
}

/** Doors not proven locked in time, locks that failed, cameras lost mid-visit: open ones first. */
export function Incidents() {
  const incidents = useIncidents();
  return (
    <div className="stack op-page">
      <h1>Incidents</h1>
      <QueryState query={incidents} loading="Loading incidents…">
        {(list) =>
          list.length === 0 ? (
            <p className="note note-ok">
              No incidents. A door not proven locked in time, or a lock or camera failing during a visit, shows up here.
            </p>
          ) : (
            <>
              <IncidentSection title="Open" incidents={list.filter((incident) => incident.status === "open")} />
              <IncidentSection title="Resolved" incidents={list.filter((incident) => incident.status !== "open")} />
            </>
          )
        }
      </QueryState>
    </div>
  );
}

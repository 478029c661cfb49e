import { Link, useParams } from "react-router";
import { ErrorNote, QueryState, Spinner } from "../../ui/feedback";
import { formatClock } from "../../ui/format";
import {
  formatElapsed,
  isInProgress,
  useAccessPointName,
  useLiveUpdates,
  useNow,
  useVisit,
  useVisitEvents,
  type Visit,
  type VisitEvent,
  visitStatusTone,
  visitStatusWords,
} from "./live-data";

/**
 * Watching one visit as it happens: the door, the courier, the status and how long it has taken,
 * all updated from the event stream. The panel on top is where the camera's live video will play
 * (issue 5); until then it says so plainly and never claims to be live.
 */
export function LiveVisit() {
  const { visitId = "" } = useParams();
  const visit = useVisit(visitId);
  useLiveUpdates();
  return (
    <div className="stack live-visit">
      <h1>Live delivery</h1>
      <VideoPlaceholder />
      <QueryState query={visit} loading="Loading the visit…">
        {(data) => <VisitDetails visit={data} />}
      </QueryState>
    </div>
  );
}

/** Sized and placed for the HLS player to come; it shows no status badge until there is video. */
function VideoPlaceholder() {
  return (
    <section className="video-panel live-video-panel" aria-label="Video">
      <div className="stack live-video-note">
        <strong>Video arrives with camera streaming</strong>
        <span className="small">Your camera records the visit. Once it streams, you will watch the door here.</span>
      </div>
    </section>
  );
}

function VisitDetails({ visit }: { visit: Visit }) {
  const visitId = visit.id ?? "";
  const events = useVisitEvents(visitId);
  const door = useAccessPointName(visit.accessPointId);
  const running = isInProgress(visit.status);
  const now = useNow(running);
  const end = visit.endedAt ? new Date(visit.endedAt).getTime() : now;
  const elapsed = end - new Date(visit.requestedAt).getTime();
  const courier = courierFirstNameOf(events.data);

  return (
    <>
      <section className="card stack" aria-label="Visit">
        <dl className="live-facts">
          <div>
            <dt>Door</dt>
            <dd>{door.data ?? (door.isPending && visit.accessPointId ? "…" : "Unknown door")}</dd>
          </div>
          <div>
            <dt>Courier</dt>
            <dd>{courier ?? (events.isPending ? "…" : "Not named")}</dd>
          </div>
          <div>
            <dt>Status</dt>
            <dd aria-live="polite">
              <span className={`pill pill-${visitStatusTone(visit.status)}`}>{visitStatusWords(visit.status)}</span>
            </dd>
          </div>
          <div>
            <dt>{running ? "Elapsed" : "Took"}</dt>
            <dd className="live-elapsed">{formatElapsed(elapsed)}</dd>
          </div>
        </dl>
        {visit.reason ? <p className="note note-warn">{visit.reason}</p> : null}
        {visit.status === "secured" && visit.shipmentId ? (
          <Link to={`/deliveries/${visit.shipmentId}`} className="button button-secondary">
            See the proof of delivery
          </Link>
        ) : null}
      </section>
      <section className="card stack" aria-labelledby="live-steps-title">
        <h2 id="live-steps-title">Steps</h2>
        {events.isPending ? <Spinner label="Loading the steps…" /> : null}
        {events.isError ? <ErrorNote error={events.error} /> : null}
        {events.data ? <VisitSteps events={events.data} /> : null}
      </section>
    </>
  );
}

function courierFirstNameOf(events: VisitEvent[] | undefined): string | null {
  const name = events?.find((e) => e.type === "visit.authorized")?.data.courierFirstName;
  return typeof name === "string" && name !== "" ? name : null;
}

function VisitSteps({ events }: { events: VisitEvent[] }) {
  const steps = events.filter((e) => e.type.startsWith("visit."));
  if (steps.length === 0) return <p className="muted">No steps recorded yet.</p>;
  return (
    <ol className="timeline">
      {steps.map((event) => (
        <li key={event.id}>
          <span className="spread">
            <span>{visitStatusWords(event.type.slice("visit.".length))}</span>
            <time dateTime={event.at} className="muted">
              {formatClock(event.at)}
            </time>
          </span>
        </li>
      ))}
    </ol>
  );
}

import { Link } from "react-router";
import { QueryState } from "../../ui/feedback";
import { formatTimeIn, formatWindow } from "../../ui/format";
import { ReadinessList } from "./ReadinessList";
import { addressLines, isDone, methodWords, type Stop, useStops } from "./stops-data";

/** The courier's day in route order: where to go, when, and whether each door could open now. */
export function Stops() {
  const stops = useStops();
  return (
    <div className="stack courier">
      <QueryState query={stops} loading="Loading your stops…">
        {(list) => <StopList stops={list} />}
      </QueryState>
    </div>
  );
}

function StopList({ stops }: { stops: Stop[] }) {
  const done = stops.filter(isDone).length;
  const toGo = stops.length - done;
  return (
    <>
      <div className="spread">
        <h1>Today's stops</h1>
        <p className="muted" aria-live="polite">
          {toGo} to go · {done} done
        </p>
      </div>
      {stops.length === 0 ? (
        <p className="note">No stops today. New ones appear here when dispatch assigns them to you.</p>
      ) : (
        <ol className="list stop-list">
          {stops.map((stop, index) => (
            <li key={stop.shipmentId}>
              <StopCard stop={stop} number={index + 1} />
            </li>
          ))}
        </ol>
      )}
    </>
  );
}

function StopCard({ stop, number }: { stop: Stop; number: number }) {
  const done = isDone(stop);
  // The whole card is tappable (the link stretches over it), but only the address and tracking
  // number name the link; the readiness words stay readable content of their own.
  return (
    <article className={`card stop-card ${done ? "stop-done" : ""}`}>
      <div className="stop-head">
        <span className="stop-number" aria-hidden="true">
          {number}
        </span>
        <h2 className="stop-title">
          <Link to={`/stops/${stop.shipmentId}`} className="stop-link">
            <span className="stop-address">{addressLines(stop).join(", ")}</span>
            <code className="stop-tracking">{stop.trackingNumber}</code>
          </Link>
        </h2>
      </div>
      {done && stop.deliveredAt ? (
        <p className="stop-delivered">✓ Delivered at {formatTimeIn(stop.deliveredAt, stop.timeZone)}</p>
      ) : null}
      <p className="small muted stop-meta">
        {formatWindow(stop.window, stop.timeZone)} · {methodWords(stop.method)}
      </p>
      {stop.accessPoint?.notes ? <p className="stop-notes">Note: “{stop.accessPoint.notes}”</p> : null}
      {done ? null : <ReadinessList stop={stop} />}
    </article>
  );
}

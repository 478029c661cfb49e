import { Link, useParams } from "react-router";
import { QueryState } from "../../ui/feedback";
import { formatWindow } from "../../ui/format";
import { CarPanel } from "./CarPanel";
import { DoorFlow } from "./DoorFlow";
import { noDoorWords } from "./no-door-words";
import { addressLines, methodWords, type Stop, useStops } from "./stops-data";

/** One stop: where, when, the customer's notes, and the door. */
export function StopPage() {
  const { shipmentId } = useParams();
  const stops = useStops();
  return (
    <div className="stack courier">
      <Link to="/stops" className="back-link">
        ← All stops
      </Link>
      <QueryState query={stops} loading="Loading the stop…">
        {(list) => {
          const stop = list.find((candidate) => candidate.shipmentId === shipmentId);
          if (!stop) {
            return (
              <p className="note note-warn" role="alert">
                This stop is not on your list for today. It may have been reassigned; check your stops.
              </p>
            );
          }
          return <StopDetails key={stop.shipmentId} stop={stop} stops={list} />;
        }}
      </QueryState>
    </div>
  );
}

function StopDetails({ stop, stops }: { stop: Stop; stops: readonly Stop[] }) {
  const [street, ...rest] = addressLines(stop);
  return (
    <>
      <header className="stop-header">
        <h1>{street}</h1>
        <p className="stop-lines">{rest.join(", ")}</p>
        <p className="small muted">
          {formatWindow(stop.window, stop.timeZone)} · {methodWords(stop.method)} · <code>{stop.trackingNumber}</code>
        </p>
      </header>
      {stop.accessPoint?.notes ? (
        <section className="note customer-notes" aria-label="Notes from the customer">
          <strong>Notes from the customer: </strong>
          {stop.accessPoint.notes}
        </section>
      ) : null}
      {stop.method === "in_trunk" && !stop.deliveredAt ? <CarPanel stop={stop} /> : null}
      {stop.method === "locker" ? (
        <section className="note" aria-label="Locker drop-off">
          {noDoorWords(stop)} At the bank, open <Link to="/lockers">Lockers</Link> (or sign in on the locker's screen)
          to scan it.
        </section>
      ) : (
        <DoorFlow stop={stop} stops={stops} />
      )}
    </>
  );
}

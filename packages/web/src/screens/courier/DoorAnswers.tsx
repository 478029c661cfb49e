import { Link } from "react-router";
import { groupDigits } from "../../access-codes";
import { Button } from "../../ui/button";
import { ErrorNote } from "../../ui/feedback";
import { formatTimeIn } from "../../ui/format";
import { Countdown } from "./Countdown";
import { addressLines, nextStopAfter, type Stop, type Visit } from "./stops-data";
import type { ScanStep } from "./use-door-visit";

/** While the server checks the rules, starts the camera and unlocks. */
export function ScanProgress({ step }: { step: ScanStep }) {
  return (
    <div className="answer door-progress" role="status">
      <span className="spinner-ring" aria-hidden="true" />
      {step === "locating" ? "Finding where you are…" : "Starting the camera and unlocking…"}
    </div>
  );
}

/** The door is open: how long is left, and the one thing to do next. */
export function OpenAnswer({
  visit,
  securing,
  secureError,
  onDone,
  trunk,
}: {
  visit: Visit;
  securing: boolean;
  secureError: unknown;
  onDone: () => void;
  /** A car's trunk (docs/in-car-delivery.md): the lid is lifted by hand, and Done locks the whole car. A return is taken out. */
  trunk?: "delivery" | "return" | undefined;
}) {
  return (
    <div className="stack">
      <div className="answer answer-ok" role="status">
        <p className="answer-big">Open</p>
        <p>
          {trunk === "return"
            ? "The trunk is released. Lift the lid, take the customer's return out, shut the lid firmly, then tap Done to lock the car."
            : trunk
              ? "The trunk is released. Lift the lid, put the package in, shut the lid firmly, then tap Done to lock the car."
              : visit.message}
        </p>
        {visit.deadlineAt && !securing ? <Countdown deadlineAt={visit.deadlineAt} /> : null}
      </div>
      {securing ? (
        <p className="note" role="status">
          {trunk ? "Locking… waiting for the car to confirm" : "Locking… waiting for the lock to confirm"}
        </p>
      ) : null}
      {secureError ? (
        <div className="stack">
          <ErrorNote error={secureError} title="Not locked yet." />
          <p className="small">
            {trunk
              ? "Do not leave the trunk open. Shut it and tap Done again; if it keeps failing, call dispatch."
              : "Do not leave with the door unlocked. Tap Done again; if it keeps failing, call dispatch."}
          </p>
        </div>
      ) : null}
      <Button size="large" className="done-button" onClick={onDone} pending={securing} pendingLabel="Locking…">
        {trunk ? "Done — lock the car" : "Done — lock the door"}
      </Button>
    </div>
  );
}

/**
 * Every rule passed and the camera records: the lock now takes the courier's code, once, for a
 * short while. The page follows the visit and turns to Open when the lock reports the code used.
 */
export function TypeCodeAnswer({ visit, digits }: { visit: Visit; digits: string }) {
  return (
    <div className="answer answer-ok" role="status">
      <p className="answer-title">Type the code on the keypad</p>
      <p className="answer-big code-digits" data-testid="code-to-type">
        {groupDigits(digits)}
      </p>
      <p>{visit.message}</p>
      <p className="small door-progress">
        <span className="spinner-ring" aria-hidden="true" /> Waiting for the lock…
      </p>
    </div>
  );
}

/** The door stayed shut: the server's sentence, and every rule that failed. */
export function RefusedAnswer({ visit }: { visit: Visit }) {
  const otherRules = visit.refusals.filter((rule) => rule.message !== visit.message);
  return (
    <div className="answer answer-bad door-refused" role="alert">
      <p className="answer-title">Do not open</p>
      <p className="answer-sentence">{visit.message}</p>
      {visit.refusals.length > 0 ? (
        <>
          <p className="small">
            {visit.refusals.length === 1 ? "The rule that failed:" : `${visit.refusals.length} rules failed:`}
          </p>
          <ul className="failed-rules">
            {visit.refusals.map((rule) => (
              <li key={rule.code}>
                <code>{rule.code.replaceAll("_", " ")}</code>
                {otherRules.includes(rule) ? ` — ${rule.message}` : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {visit.reason ? <p className="small">Reason: {visit.reason.replaceAll("_", " ")}</p> : null}
    </div>
  );
}

/**
 * The lock did not confirm: the visit is an incident; the courier must stay. Once a retried lock
 * proved the door locked, the courier may still confirm the delivery.
 */
export function NotLockedAnswer({
  visit,
  retrying,
  onRetry,
}: {
  visit: Visit;
  retrying: boolean;
  onRetry: () => void;
}) {
  // A retried lock proved the door locked during the incident: safe, but delivered only on the courier's word.
  if (visit.doorSecuredAt) {
    return (
      <div className="stack">
        <div className="answer answer-ok" role="status">
          <p className="answer-title">Locked, not yet delivered</p>
          <p className="answer-sentence">{visit.message}</p>
          {visit.reason ? <p className="small">Incident: {visit.reason.replaceAll("_", " ")}</p> : null}
        </div>
        <Button size="large" onClick={onRetry} pending={retrying} pendingLabel="Confirming…">
          The package is inside — Done
        </Button>
      </div>
    );
  }
  return (
    <div className="stack">
      <div className="answer answer-bad" role="alert">
        <p className="answer-title">Not locked</p>
        <p className="answer-sentence">{visit.message}</p>
        {visit.reason ? <p className="small">Reason: {visit.reason.replaceAll("_", " ")}</p> : null}
      </div>
      <p className="small">Close the door firmly, then try locking again. Do not leave the door unlocked.</p>
      <Button size="large" onClick={onRetry} pending={retrying} pendingLabel="Locking…">
        Try locking again
      </Button>
    </div>
  );
}

/** Proven locked: the stop is done; on to the next one. */
export function LockedAnswer({ stop, stops }: { stop: Stop; stops: readonly Stop[] }) {
  return (
    <div className="stack">
      <div className="answer answer-ok" role="status">
        <p className="answer-big">Locked ✓</p>
        <p>Delivered and proven locked. Thank you.</p>
      </div>
      <NextStopLink stop={stop} stops={stops} />
    </div>
  );
}

/** A stop finished earlier (the courier came back to it). */
export function AlreadyDelivered({ stop, stops }: { stop: Stop; stops: readonly Stop[] }) {
  return (
    <div className="stack">
      <p className="note note-ok">
        Delivered{stop.deliveredAt ? ` at ${formatTimeIn(stop.deliveredAt, stop.timeZone)}` : ""}. Nothing left to do
        here.
      </p>
      <NextStopLink stop={stop} stops={stops} />
    </div>
  );
}

function NextStopLink({ stop, stops }: { stop: Stop; stops: readonly Stop[] }) {
  const next = nextStopAfter(stops, stop.shipmentId);
  return (
    <>
      {next ? (
        <Link to={`/stops/${next.shipmentId}`} className="button button-primary button-large">
          Next stop: {addressLines(next)[0]}
        </Link>
      ) : (
        <Link to="/stops" className="button button-primary button-large">
          All stops done — back to stops
        </Link>
      )}
    </>
  );
}

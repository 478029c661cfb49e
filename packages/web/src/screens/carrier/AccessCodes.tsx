import {
  type AccessCode,
  CODE_STATUS_WORDS,
  isLive,
  REMOVED_REASON_WORDS,
  useAccessCodes,
  useRequestAccessCode,
  useWithdrawAccessCode,
} from "../../access-codes";
import { Button } from "../../ui/button";
import { ErrorNote, QueryState } from "../../ui/feedback";
import { formatWindow } from "../../ui/format";
import type { Shipment } from "./carrier-data";

/**
 * A shipment's keypad codes, for the carrier: ask for a one-time code (programmed into the lock,
 * usable only after the courier checks in), or an offline code for a lock that cannot be reached,
 * and follow each code's state. The digits are never shown here: only the assigned courier sees them.
 */
export function AccessCodes({ shipment }: { shipment: Shipment }) {
  const codes = useAccessCodes(shipment.id);
  const request = useRequestAccessCode(shipment.id);
  const open = shipment.status === "assigned";
  const hasLive = codes.data?.some(isLive) ?? false;
  return (
    <section className="card stack" aria-labelledby="codes-title">
      <h2 id="codes-title">Keypad codes</h2>
      <p className="small muted cr-flush">
        A one-time code is set on the lock now and opens it once, only after the courier checks in at the door and the
        camera records. Only the courier sees the digits.
      </p>
      <QueryState query={codes} loading="Loading the codes…">
        {(list) =>
          list.length === 0 ? (
            <p className="muted">No codes for this shipment.</p>
          ) : (
            <ul className="cr-codes" aria-label="Codes">
              {list.map((code) => (
                <CodeRow key={code.id} shipmentId={shipment.id} code={code} timeZone={shipment.timeZone} />
              ))}
            </ul>
          )
        }
      </QueryState>
      {open && !hasLive ? (
        <div className="cr-code-actions">
          <Button
            pending={request.isPending && request.variables === "online"}
            pendingLabel="Setting it on the lock…"
            disabled={request.isPending}
            onClick={() => request.mutate("online")}
          >
            Request a one-time code
          </Button>
          <Button
            variant="secondary"
            pending={request.isPending && request.variables === "offline"}
            pendingLabel="Issuing…"
            disabled={request.isPending}
            onClick={() => request.mutate("offline")}
          >
            Request an offline code
          </Button>
        </div>
      ) : null}
      {!open ? <p className="small muted">Codes are for shipments out with a courier.</p> : null}
      {request.isError ? <ErrorNote error={request.error} title="No code." /> : null}
    </section>
  );
}

/** A code's validity reads in the place's zone, like its shipment's window. */
function CodeRow({ shipmentId, code, timeZone }: { shipmentId: string; code: AccessCode; timeZone: string }) {
  const withdraw = useWithdrawAccessCode(shipmentId);
  const words = CODE_STATUS_WORDS[code.status];
  const withdrawable = code.status === "setting" || code.status === "set" || code.status === "issued";
  return (
    <li className="cr-code" data-testid="access-code">
      <div className="cr-code-head">
        <strong>{code.kind === "online" ? "One-time code" : "Offline code"}</strong>
        <span className={words.pill} data-status={code.status}>
          {words.label}
        </span>
      </div>
      <p className="small muted cr-flush">
        Valid {formatWindow({ start: code.validFrom, end: code.validUntil }, timeZone)}
      </p>
      {code.failureReason ? <p className="small">Why: {code.failureReason}</p> : null}
      {code.removedReason ? (
        <p className="small" data-testid="removed-reason">
          {REMOVED_REASON_WORDS[code.removedReason]}
        </p>
      ) : null}
      {code.notice ? (
        <p className="note note-warn small" role="note">
          {code.notice}
        </p>
      ) : null}
      {withdrawable ? (
        <Button
          variant="ghost"
          pending={withdraw.isPending}
          pendingLabel="Withdrawing…"
          onClick={() => withdraw.mutate(code.id)}
        >
          Withdraw
        </Button>
      ) : null}
      {withdraw.isError ? <ErrorNote error={withdraw.error} title="Not withdrawn." /> : null}
    </li>
  );
}

import { useState } from "react";
import { type LockerBank, useAuditOpen, useLockerBanks, useLockerDashboard } from "../../lockers";
import { Button } from "../../ui/button";
import { ErrorNote, QueryState } from "../../ui/feedback";

/** The building manager's lockers: one dashboard per bank. */
export function ManagerLockers() {
  const banks = useLockerBanks();
  return (
    <div className="stack">
      <h1>Lockers</h1>
      <QueryState query={banks} loading="Loading your locker banks…">
        {(list) =>
          list.length === 0 ? (
            <p className="muted">
              No locker banks yet. Pair a locker controller at your building, then set up its bank.
            </p>
          ) : (
            list.map((bank) => <BankDashboard key={bank.id} bank={bank} />)
          )
        }
      </QueryState>
    </div>
  );
}

function BankDashboard({ bank }: { bank: LockerBank }) {
  const dashboard = useLockerDashboard(bank.id);
  const open = useAuditOpen(bank.id);
  const [compartment, setCompartment] = useState("");
  const [reason, setReason] = useState("");
  return (
    <section className="card stack" aria-label={`Bank ${bank.name}`} data-testid="bank-dashboard">
      <div className="spread">
        <h2>{bank.name}</h2>
        <a className="small tap-link" href={`/kiosk/${bank.id}`}>
          Kiosk screen
        </a>
      </div>
      <QueryState query={dashboard} loading="Loading…">
        {(d) => (
          <>
            {!d.online ? <p className="note note-warn">The bank is offline; pickups go on at its keypad.</p> : null}
            <dl className="lk-occupancy">
              <div>
                <dt>Free</dt>
                <dd>{d.occupancy.free}</dd>
              </div>
              <div>
                <dt>Occupied</dt>
                <dd>{d.occupancy.occupied}</dd>
              </div>
              <div>
                <dt>Reserved</dt>
                <dd>{d.occupancy.reserved}</dd>
              </div>
              <div>
                <dt>Out of service</dt>
                <dd>{d.occupancy.outOfService}</dd>
              </div>
            </dl>
            <h3>Waiting ({d.waiting.length})</h3>
            {d.waiting.length === 0 ? <p className="muted small">No parcel waiting.</p> : null}
            <ul className="list">
              {d.waiting.map((w) => (
                <li key={w.parcelId} className="spread">
                  <span>
                    #{w.compartment} · {w.label} · {w.ageHours} h
                  </span>
                  {w.expiringSoon ? <span className="pill pill-warn">expires soon</span> : null}
                </li>
              ))}
            </ul>
            {d.expired.length > 0 ? (
              <>
                <h3>Expired, for the carrier ({d.expired.length})</h3>
                <ul className="list">
                  {d.expired.map((e) => (
                    <li key={e.parcelId}>
                      #{e.compartment} · {e.label}
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
            {d.returns.length > 0 ? (
              <>
                <h3>Returns ({d.returns.length})</h3>
                <ul className="list">
                  {d.returns.map((r) => (
                    <li key={r.parcelId}>
                      #{r.compartment} · {r.label} · {r.status}
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
            {d.outOfService.length > 0 ? (
              <>
                <h3>Out of service</h3>
                <ul className="list">
                  {d.outOfService.map((o) => (
                    <li key={o.compartment}>
                      #{o.compartment}: {o.reason}
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </>
        )}
      </QueryState>
      <form
        className="stack"
        onSubmit={(event) => {
          event.preventDefault();
          open.mutate({ compartment: Number(compartment), reason });
        }}
      >
        <h3>Open a compartment for an audit</h3>
        <label className="stack">
          Compartment
          <input inputMode="numeric" value={compartment} onChange={(e) => setCompartment(e.target.value)} required />
        </label>
        <label className="stack">
          Reason (kept in the audit log)
          <input value={reason} onChange={(e) => setReason(e.target.value)} required minLength={3} />
        </label>
        <Button type="submit" variant="secondary" pending={open.isPending}>
          Open it
        </Button>
        {open.isSuccess ? (
          <p className="note note-ok">Compartment {open.data.compartment} is open; close it when done.</p>
        ) : null}
        {open.isError ? <ErrorNote error={open.error} /> : null}
      </form>
    </section>
  );
}

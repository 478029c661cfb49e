import { useState } from "react";
import { errorCode } from "../../api";
import {
  type LockerParcel,
  PARCEL_STATUS_WORDS,
  useExtendPickup,
  useMyLockerParcels,
  useOpenInApp,
  useSharePickup,
} from "../../lockers";
import { Button } from "../../ui/button";
import { ErrorNote, QueryState } from "../../ui/feedback";
import { currentLocation } from "../courier/location";
import { QrCode } from "./QrCode";

const when = (iso: string | null) =>
  iso
    ? new Date(iso).toLocaleString(undefined, {
        weekday: "short",
        day: "numeric",
        month: "short",
        hour: "2-digit",
        minute: "2-digit",
      })
    : "";

/** The resident's locker parcels: each waiting one as a pickup card with its code, QR and expiry. */
export function PickupCards() {
  const parcels = useMyLockerParcels();
  return (
    <div className="stack">
      <h1>Lockers</h1>
      <QueryState query={parcels} loading="Loading your parcels…">
        {(list) => {
          const waiting = list.filter((p) => p.status === "in_locker");
          const others = list.filter((p) => p.status !== "in_locker");
          return (
            <>
              {waiting.length === 0 ? <p className="muted">Nothing waiting for you in a locker.</p> : null}
              {waiting.map((parcel) => (
                <PickupCard key={parcel.id} parcel={parcel} />
              ))}
              {others.length > 0 ? (
                <section className="card stack" aria-labelledby="lk-history">
                  <h2 id="lk-history">Earlier</h2>
                  <ul className="list">
                    {others.map((p) => (
                      <li key={p.id} className="spread">
                        <span>
                          {p.kind === "return" ? "Return " : ""}
                          {p.label} · {p.bankName}
                        </span>
                        <span className="pill">{PARCEL_STATUS_WORDS[p.status]}</span>
                      </li>
                    ))}
                  </ul>
                </section>
              ) : null}
            </>
          );
        }}
      </QueryState>
    </div>
  );
}

function PickupCard({ parcel }: { parcel: LockerParcel }) {
  const open = useOpenInApp();
  const extend = useExtendPickup();
  const share = useSharePickup();
  const [email, setEmail] = useState("");
  const [opening, setOpening] = useState(false);
  const [locationProblem, setLocationProblem] = useState<string | null>(null);

  const openHere = async () => {
    setLocationProblem(null);
    setOpening(true);
    try {
      const location = await currentLocation();
      open.mutate({ parcelId: parcel.id, location: { lat: location.lat, lng: location.lng } });
    } catch (error) {
      setLocationProblem(error instanceof Error ? error.message : String(error));
    } finally {
      setOpening(false);
    }
  };

  return (
    <article className="card stack lk-card" data-testid="pickup-card" aria-label={`Parcel ${parcel.label}`}>
      <div className="spread">
        <strong>{parcel.bankName}</strong>
        <span className="pill pill-warn">Compartment {parcel.compartment}</span>
      </div>
      {parcel.overflow ? (
        <p className="note note-warn">Your building's lockers were full: this parcel is at {parcel.bankName}.</p>
      ) : null}
      {parcel.code ? (
        <p className="lk-code">
          <span className="small muted">Pickup code </span>
          <span data-testid="pickup-code">{parcel.code}</span>
        </p>
      ) : (
        <p className="note note-warn">
          Compartment {parcel.compartment} also holds parcels not shared with you, so its code is not shown here. Ask
          the resident to share the whole compartment, or to collect it.
        </p>
      )}
      {parcel.qr ? <QrCode text={parcel.qr} label="Pickup QR code: show it to the locker's camera" /> : null}
      <p className="small">
        Type the code at the locker's screen, or show the QR code. Collect by <strong>{when(parcel.expiresAt)}</strong>
        {parcel.extended ? " (extended)" : ""}.
      </p>
      <div className="row">
        <Button size="large" pending={opening || open.isPending} pendingLabel="Opening…" onClick={openHere}>
          Open
        </Button>
        {!parcel.extended ? (
          <Button variant="secondary" pending={extend.isPending} onClick={() => extend.mutate(parcel.id)}>
            Need more time
          </Button>
        ) : null}
      </div>
      {open.isSuccess ? (
        <p className="note note-ok" role="status">
          Compartment {open.data.compartment} is open. Take your parcel and close the door.
        </p>
      ) : null}
      {locationProblem ? <p className="note note-error">{locationProblem}</p> : null}
      {open.isError ? <ErrorNote error={open.error} title="Not opened." /> : null}
      {extend.isError ? <ErrorNote error={extend.error} /> : null}
      <form
        className="row"
        onSubmit={(event) => {
          event.preventDefault();
          share.mutate({ parcelId: parcel.id, email });
        }}
      >
        <label className="lk-share">
          <span className="small">Someone else collects it? Share with</span>
          <input
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            placeholder="their email"
            required
          />
        </label>
        <Button type="submit" variant="secondary" pending={share.isPending}>
          Share
        </Button>
      </form>
      {share.isSuccess ? (
        <p className="note note-ok" role="status">
          {share.data.parcelIds.length > 1
            ? `Shared all ${share.data.parcelIds.length} parcels in compartment ${parcel.compartment}: they see its code in their Threshold app.`
            : "Shared: they see this code in their Threshold app."}
        </p>
      ) : null}
      {share.isError ? <ErrorNote error={share.error} title="Not shared." /> : null}
      {share.isError && errorCode(share.error) === "shares_compartment" ? (
        <Button
          variant="secondary"
          pending={share.isPending}
          onClick={() => share.mutate({ parcelId: parcel.id, email, wholeCompartment: true })}
        >
          Share the whole compartment
        </Button>
      ) : null}
    </article>
  );
}

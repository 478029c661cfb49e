import { useState } from "react";
import { Link } from "react-router";
import { useSession } from "../../session";
import { Button } from "../../ui/button";
import { ErrorNote, Spinner } from "../../ui/feedback";
import { formatWindow } from "../../ui/format";
import { AssignCourier } from "./AssignCourier";
import { type Courier, type Shipment, type ShipmentWhen, useCouriers, useShipments } from "./carrier-data";
import { METHOD_WORDS, STATUS_WORDS } from "./words";

const WHEN_CHOICES: { value: ShipmentWhen | undefined; label: string }[] = [
  { value: undefined, label: "All" },
  { value: "upcoming", label: "Upcoming" },
  { value: "past", label: "Past" },
];

function ShipmentCard({
  shipment,
  courierName,
  couriers,
}: {
  shipment: Shipment;
  courierName: string | null;
  couriers: Courier[] | undefined;
}) {
  const status = STATUS_WORDS[shipment.status];
  return (
    <li className="card cr-shipment">
      <div className="spread">
        <h2 className="cr-tracking">{shipment.trackingNumber}</h2>
        <span className={status.pill}>{status.label}</span>
      </div>
      <dl className="facts">
        <dt>Window</dt>
        <dd>{formatWindow(shipment.window, shipment.timeZone)}</dd>
        <dt>Courier</dt>
        <dd>{courierName ?? <span className="muted">Not assigned</span>}</dd>
        <dt>Method</dt>
        <dd>{METHOD_WORDS[shipment.method] ?? shipment.method}</dd>
      </dl>
      <AssignCourier shipment={shipment} couriers={couriers} />
      <Link
        to={`/shipments/${shipment.id}/label`}
        className="button button-secondary"
        aria-label={`Print label for ${shipment.trackingNumber}`}
      >
        Print label
      </Link>
    </li>
  );
}

/** The carrier's shipments with their status, window and courier (assign or reassign one), each with its label to print. */
export function Shipments() {
  const { me } = useSession();
  const [when, setWhen] = useState<ShipmentWhen | undefined>(undefined);
  const shipments = useShipments(when);
  const couriers = useCouriers(me.carrierId);
  const list = shipments.data?.pages.flatMap((page) => page.shipments) ?? [];
  const courierName = (shipment: Shipment) =>
    shipment.courierId
      ? (couriers.data?.find((courier) => courier.id === shipment.courierId)?.name ?? shipment.courierId)
      : null;

  return (
    <div className="stack cr-page">
      <div className="spread">
        <h1>Shipments</h1>
        {shipments.isFetching && !shipments.isFetchingNextPage ? <Spinner label="Refreshing…" /> : null}
      </div>
      <Link to="/shipments/new" className="button button-primary cr-new">
        New shipment
      </Link>
      <fieldset className="cr-segmented">
        <legend className="small muted">Window</legend>
        {WHEN_CHOICES.map((choice) => (
          <button
            key={choice.label}
            type="button"
            className="cr-segment"
            aria-pressed={when === choice.value}
            onClick={() => setWhen(choice.value)}
          >
            {choice.label}
          </button>
        ))}
      </fieldset>
      {shipments.isPending ? (
        <Spinner label="Loading shipments…" />
      ) : shipments.isError && !shipments.data ? (
        <ErrorNote error={shipments.error} />
      ) : list.length === 0 ? (
        <p className="note">
          No shipments here yet. Create one above; those your systems create through the API show up here too.
        </p>
      ) : (
        <>
          {shipments.isError ? <ErrorNote error={shipments.error} title="Could not refresh." /> : null}
          <ul className="list cr-shipments" aria-label="Shipments">
            {list.map((shipment) => (
              <ShipmentCard
                key={shipment.id}
                shipment={shipment}
                courierName={courierName(shipment)}
                couriers={couriers.data}
              />
            ))}
          </ul>
          {shipments.hasNextPage ? (
            <Button
              variant="secondary"
              pending={shipments.isFetchingNextPage}
              pendingLabel="Loading more…"
              onClick={() => void shipments.fetchNextPage()}
            >
              Show more shipments
            </Button>
          ) : null}
        </>
      )}
    </div>
  );
}

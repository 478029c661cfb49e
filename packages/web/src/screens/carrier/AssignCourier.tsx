import { useId, useState } from "react";
import { Button } from "../../ui/button";
import { ErrorNote } from "../../ui/feedback";
import { type Courier, type Shipment, useAssignShipment } from "./carrier-data";

/**
 * Gives a shipment to one of the carrier's couriers, or to another one before delivery. Only
 * shipments that can still be assigned (created, or assigned and not delivered) offer it; the
 * server still refuses while a courier is at the door, and says so.
 */
export function AssignCourier({ shipment, couriers }: { shipment: Shipment; couriers: Courier[] | undefined }) {
  const assign = useAssignShipment(shipment.id);
  const [courierId, setCourierId] = useState(shipment.courierId ?? "");
  const id = useId();
  if (shipment.status !== "created" && shipment.status !== "assigned") return null;
  const current = shipment.courierId;
  const chosenName = couriers?.find((c) => c.id === courierId)?.name;
  return (
    <div className="cr-assign">
      <label htmlFor={id}>
        {current ? "Reassign to" : "Assign to"}
        {/* Each card has one: the name says which shipment, for those who hear it rather than see the card. */}
        <span className="cr-visually-hidden"> (shipment {shipment.trackingNumber})</span>
      </label>
      <div className="cr-assign-row">
        <select
          id={id}
          value={courierId}
          disabled={!couriers || couriers.length === 0}
          onChange={(e) => {
            assign.reset();
            setCourierId(e.target.value);
          }}
        >
          <option value="" disabled>
            {couriers && couriers.length === 0 ? "No couriers yet" : "Choose a courier"}
          </option>
          {(couriers ?? []).map((courier) => (
            <option key={courier.id} value={courier.id}>
              {courier.name}
            </option>
          ))}
        </select>
        <Button
          variant="secondary"
          disabled={!courierId || courierId === current}
          pending={assign.isPending}
          pendingLabel="Assigning…"
          onClick={() => assign.mutate(courierId)}
        >
          {current ? "Reassign" : "Assign"}
        </Button>
      </div>
      {assign.isSuccess && chosenName ? (
        <p className="small cr-flush" role="status">
          Assigned to {chosenName}.
        </p>
      ) : null}
      {assign.isError ? <ErrorNote error={assign.error} title="Not assigned." /> : null}
    </div>
  );
}

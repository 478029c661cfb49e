import { useQuery } from "@tanstack/react-query";
import { api, errorCode, type paths, unwrap } from "../../api";
import { ErrorNote } from "../../ui/feedback";
import { compassWord, distanceWords } from "../recipient/geo-words";
import { type CourierLocation, currentLocation } from "./location";
import type { Stop } from "./stops-data";

type CourierCar = paths["/v1/courier/stops/{id}/car"]["get"]["responses"]["200"]["content"]["application/json"];

const FALLBACK_WORDS: Record<CourierCar["fallback"], string> = {
  backup_address: "Deliver to the customer's backup address",
  locker: "Take it to the customer's locker",
  return: "Return it to the depot",
};

/** How often the car's position is read again while the courier walks to it. */
const CAR_REFRESH_MS = 10_000;

/**
 * The car of an in_trunk stop (docs/in-car-delivery.md): plate, colour and photo to recognise it,
 * and how far and which way it is from where the courier stands. The server shows it only to the
 * stop's courier and only during the window; outside it, this says so and shows nothing of the car.
 */
export function CarPanel({ stop }: { stop: Stop }) {
  const car = useQuery({
    queryKey: ["courier", "stop-car", stop.shipmentId],
    queryFn: async () => {
      const here: CourierLocation = await currentLocation();
      return unwrap(
        await api.GET("/v1/courier/stops/{id}/car", {
          params: { path: { id: stop.shipmentId }, query: { lat: here.lat, lng: here.lng } },
        }),
      );
    },
    refetchInterval: CAR_REFRESH_MS,
    retry: false,
  });
  if (car.isPending) return <p className="note">Finding the car…</p>;
  if (car.isError) {
    return errorCode(car.error) === "window_closed" ? (
      <p className="note note-warn">The car is shown only during the delivery window. Come back when it opens.</p>
    ) : (
      <ErrorNote error={car.error} title="Could not find the car." />
    );
  }
  const info = car.data;
  return (
    <section className="card stack car-panel" aria-label="The customer's car">
      <div className="spread">
        <div>
          <p className="car-plate" data-testid="car-plate">
            {info.plate}
          </p>
          <p>
            {info.colour} {info.make} {info.model}
          </p>
        </div>
        {info.photo ? <img className="car-photo" src={info.photo} alt={`The ${info.colour} ${info.make}`} /> : null}
      </div>
      {info.position && info.distanceM !== null && info.bearingDeg !== null ? (
        <p className="car-direction" data-testid="car-direction">
          <span className="car-arrow" aria-hidden="true" style={{ transform: `rotate(${info.bearingDeg}deg)` }}>
            ↑
          </span>{" "}
          {info.distanceM < 5
            ? "You are at the car"
            : `${distanceWords(info.distanceM)} ${compassWord(info.bearingDeg)}`}
          <span className="small muted">
            {" "}
            ({info.position.lat.toFixed(5)}, {info.position.lng.toFixed(5)})
          </span>
        </p>
      ) : (
        <p className="note small">{info.positionNote ?? "Where the car is is not known."}</p>
      )}
      {!info.online ? <p className="note note-warn small">The car is not reachable right now.</p> : null}
      {info.drive === "driving" ? <p className="note note-warn small">The car is being driven, not parked.</p> : null}
      <p className="small muted">
        {info.filmed ? "A camera films the trunk." : "This trunk is not filmed."} If it cannot be opened:{" "}
        {FALLBACK_WORDS[info.fallback]}
        {info.fallbackNote ? ` (${info.fallbackNote})` : ""}.
      </p>
    </section>
  );
}

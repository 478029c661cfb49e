import { useId } from "react";
import { Switch } from "../../ui/button";
import { ErrorNote } from "../../ui/feedback";
import { formatDateTime } from "../../ui/format";
import { CameraOnRequest } from "./CameraOnRequest";
import { type Car, useBlockCar, useChangeCar } from "./car-data";
import { bearingBetween, compassWord, distanceWords, metresBetween } from "./geo-words";
import { ReadinessPills } from "./ReadinessPills";
import type { Check } from "./readiness";

const FALLBACK_WORDS: Record<Car["fallback"], string> = {
  backup_address: "deliver to your backup address",
  locker: "take it to your locker",
  return: "return it to the depot",
};

/** What the car last said, as pills: reachable, parked, locked, trunk shut. */
function carChecks(car: Car): Check[] {
  const state = car.state;
  if (!state) return [{ id: "paired", tone: "bad", words: "Not paired with its vehicle device" }];
  if (!state.online) {
    return [
      {
        id: "online",
        tone: "bad",
        words: "Car not reachable",
        ...(state.lastSeenAt ? { detail: `Last heard ${formatDateTime(state.lastSeenAt)}` } : {}),
      },
    ];
  }
  return [
    { id: "online", tone: "ok", words: "Reachable" },
    state.drive === "parked"
      ? { id: "drive", tone: "ok", words: "Parked" }
      : { id: "drive", tone: "warn", words: "Driving" },
    state.locks === "locked"
      ? { id: "locks", tone: "ok", words: "Locked" }
      : { id: "locks", tone: "warn", words: state.locks === "trunk_unlocked" ? "Trunk released" : "Unlocked" },
    state.trunk === "closed"
      ? { id: "trunk", tone: "ok", words: "Trunk closed" }
      : { id: "trunk", tone: "bad", words: "Trunk open" },
  ];
}

/**
 * One car on Home: where it is (coordinates, and how far from home), whether it is locked, trunk
 * delivery on or off, and a block switch. Says plainly when its trunk visits are not filmed.
 */
export function CarCard({ car, home }: { car: Car; home: { lat: number; lng: number } }) {
  const headingId = useId();
  const change = useChangeCar(car.id);
  const block = useBlockCar(car.id);
  const position = car.state?.position ?? null;
  const fromHome = position ? metresBetween(home, position) : null;
  return (
    <article className="card rh-car" aria-labelledby={headingId}>
      <div className="spread">
        <div>
          <h3 id={headingId}>
            {car.make} {car.model}
          </h3>
          <p className="small muted">
            {car.colour} · <span className="rh-plate">{car.plate}</span>
          </p>
        </div>
        {car.photo ? (
          <img className="rh-car-photo" src={car.photo} alt={`The ${car.colour} ${car.make} ${car.model}`} />
        ) : null}
      </div>
      <ReadinessPills checks={carChecks(car)} label={`State of the ${car.make} ${car.model}`} />
      <p className="small" data-testid="car-position">
        {position && fromHome !== null ? (
          <>
            {fromHome < 15
              ? "At home"
              : `${distanceWords(fromHome)} ${compassWord(bearingBetween(home, position))} of home`}{" "}
            <span className="muted">
              ({position.lat.toFixed(5)}, {position.lng.toFixed(5)} ±{Math.round(position.accuracyM)} m)
            </span>
          </>
        ) : (
          "Position unknown"
        )}
      </p>
      <Switch
        tone="calm"
        checked={car.trunkDelivery}
        disabled={!car.accessPointId || change.isPending}
        onSwitch={(trunkDelivery) => change.mutate({ trunkDelivery })}
      >
        Trunk delivery
      </Switch>
      <Switch
        tone="alarm"
        checked={car.blocked}
        disabled={block.isPending}
        onSwitch={(blocked) => block.mutate(blocked)}
      >
        Block this car
      </Switch>
      {car.blocked ? (
        <p className="note note-warn small">
          <strong>Blocked</strong>
          {car.blockedAt ? ` since ${formatDateTime(car.blockedAt)}` : ""}: no courier can open the trunk.
        </p>
      ) : null}
      {car.filmed && car.cameraDeviceIds[0] ? (
        <CameraOnRequest cameraId={car.cameraDeviceIds[0]} place={`the ${car.make} ${car.model} trunk`}>
          <p className="small muted">A camera films the trunk during deliveries; each visit's clip is in its proof.</p>
        </CameraOnRequest>
      ) : (
        <div className="note small" data-testid="car-not-filmed">
          <p>
            <strong>Not filmed.</strong> No camera watches this trunk, so deliveries into it are not recorded.
          </p>
          <Switch
            tone="calm"
            checked={car.requireCamera}
            disabled={change.isPending}
            onSwitch={(requireCamera) => change.mutate({ requireCamera })}
          >
            Only open while a camera films
          </Switch>
        </div>
      )}
      <p className="small muted">
        If the trunk cannot be opened, the courier will {FALLBACK_WORDS[car.fallback]}
        {car.fallbackNote ? ` (${car.fallbackNote})` : ""}. The courier sees where the car is{" "}
        {car.positionSharing === "near_address" ? "only near your address, during" : "only during"} the delivery window.
      </p>
      {change.isError ? <ErrorNote error={change.error} title="The car was not changed." /> : null}
      {block.isError ? <ErrorNote error={block.error} title="The car was not blocked or unblocked." /> : null}
    </article>
  );
}

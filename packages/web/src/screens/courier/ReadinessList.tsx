import { formatTimeIn } from "../../ui/format";
import { noDoorWords } from "./no-door-words";
import type { Readiness, Stop } from "./stops-data";

interface Check {
  ok: boolean;
  /** Said in words, so it reads the same without colour. */
  yes: string;
  no: string;
}

/** The window first: outside it the scan is refused (outside_window) whatever the door says. */
function windowCheck(readiness: Readiness, timeZone: string): Check {
  const no = readiness.windowOpensAt
    ? `Window opens at ${formatTimeIn(readiness.windowOpensAt, timeZone)}`
    : "Delivery window has ended";
  return { ok: readiness.inWindow, yes: "In the delivery window", no };
}

function checksOf(readiness: Readiness): Check[] {
  // A car's trunk (docs/in-car-delivery.md): the car is the lock, and it may have no camera at all.
  if (readiness.car) {
    return [
      { ok: readiness.lockOnline, yes: "Car reachable", no: "Car not reachable" },
      { ok: readiness.car.drive === "parked", yes: "Parked", no: "Driving" },
      { ok: readiness.lockLocked, yes: "Locked", no: "Not locked" },
      { ok: readiness.doorClosed, yes: "Trunk closed", no: "Trunk open" },
      ...(readiness.car.filmed ? [{ ok: readiness.cameraLive, yes: "Camera live", no: "Camera not live" }] : []),
      { ok: readiness.consentGiven, yes: "Trunk delivery on", no: "Trunk delivery off" },
      ...(readiness.blocked ? [{ ok: false, yes: "", no: "Access blocked by the customer" }] : []),
    ];
  }
  return [
    { ok: readiness.lockOnline, yes: "Lock online", no: "Lock offline" },
    { ok: readiness.lockLocked, yes: "Locked", no: "Not locked" },
    { ok: readiness.doorClosed, yes: "Door closed", no: "Door open" },
    { ok: readiness.cameraLive, yes: "Camera live", no: "Camera not live" },
    { ok: readiness.consentGiven, yes: "Consent given", no: "No consent now" },
    ...(readiness.fridge ? [fridgeCheck(readiness.fridge)] : []),
    ...(readiness.blocked ? [{ ok: false, yes: "", no: "Access blocked by the customer" }] : []),
  ];
}

/** A fridge already too warm takes no groceries: the scan refuses it (fridge_warm). */
function fridgeCheck(fridge: NonNullable<Readiness["fridge"]>): Check {
  const reading = fridge.temperatureC === null ? "temperature unknown" : `${fridge.temperatureC.toFixed(1)} °C`;
  return {
    ok: !fridge.tooWarm,
    yes: `Fridge cold enough (${reading})`,
    no: `Fridge too warm (${reading}, limit ${fridge.maxTemperatureC} °C)`,
  };
}

/** Whether the door could open now, and each condition in words with a ✓ or ✕. */
export function ReadinessList({ stop }: { stop: Stop }) {
  if (!stop.readiness) {
    return <p className="muted small">{noDoorWords(stop)}</p>;
  }
  return (
    <div className="readiness">
      <p className={`readiness-summary ${stop.readiness.ready ? "is-ready" : "is-not-ready"}`}>
        {stop.readiness.ready ? "Ready to open" : "Not ready to open"}
      </p>
      <ul className="readiness-checks" aria-label="Door readiness">
        {[windowCheck(stop.readiness, stop.timeZone), ...checksOf(stop.readiness)].map((check) => (
          <li key={check.no} className={`pill ${check.ok ? "pill-ok" : "pill-bad"}`}>
            <span aria-hidden="true">{check.ok ? "✓" : "✕"}</span>
            {check.ok ? check.yes : check.no}
          </li>
        ))}
      </ul>
    </div>
  );
}

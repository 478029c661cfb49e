import { type ReactNode, useId, useState } from "react";
import { CameraPlayer } from "../../ui/CameraPlayer";

/**
 * A camera's live view, on request: Home does not stream every camera of every door (or trunk)
 * just because it is open on a phone. `place` finishes the sentences a screen reader hears:
 * "Show camera of Front door", "Camera at Front door".
 */
export function CameraOnRequest({
  cameraId,
  place,
  children,
}: {
  cameraId: string;
  place: string;
  children?: ReactNode;
}) {
  const [watching, setWatching] = useState(false);
  const playerId = useId();
  return (
    <div className="stack">
      {children}
      <button
        type="button"
        className="button button-secondary"
        aria-expanded={watching}
        aria-controls={playerId}
        onClick={() => setWatching((on) => !on)}
      >
        {watching ? "Hide camera" : "Show camera"}
        <span className="rh-visually-hidden"> of {place}</span>
      </button>
      <div id={playerId} hidden={!watching}>
        {watching ? <CameraPlayer deviceId={cameraId} label={`Camera at ${place}`} size="compact" /> : null}
      </div>
    </div>
  );
}

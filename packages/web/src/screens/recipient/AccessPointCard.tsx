import { useId } from "react";
import { Link } from "react-router";
import { ErrorNote } from "../../ui/feedback";
import { CameraOnRequest } from "./CameraOnRequest";
import { DoorControl } from "./DoorControl";
import { type AccessPoint, type Device, READINESS_REFRESH_MS, useConsent, useFridgeReading } from "./home-data";
import { ReadinessPills } from "./ReadinessPills";
import { readinessChecks, readinessVerdict } from "./readiness";
import { ACCESS_POINT_KIND_WORDS } from "./words";

/** One door (or garage, fridge…): is it ready for a delivery right now, and if not, why. */
export function AccessPointCard({
  accessPoint,
  devices,
  blocked,
  now,
}: {
  accessPoint: AccessPoint;
  devices: readonly Device[];
  blocked: boolean;
  now: number;
}) {
  const headingId = useId();
  const consent = useConsent(accessPoint.id, READINESS_REFRESH_MS);
  const fridge = useFridgeReading(accessPoint);
  const checks = readinessChecks({ accessPoint, devices, consent: consent.data?.consent, blocked, now, fridge });
  const verdict = readinessVerdict(checks);
  return (
    <article className="card rh-access-point" aria-labelledby={headingId}>
      <div className="spread">
        <div>
          <h3 id={headingId}>{accessPoint.name}</h3>
          {/* The kind, unless the name already says it ("Front door" is a front door). */}
          {accessPoint.name !== ACCESS_POINT_KIND_WORDS[accessPoint.kind] ? (
            <p className="small muted rh-kind">{ACCESS_POINT_KIND_WORDS[accessPoint.kind]}</p>
          ) : null}
        </div>
        <Link className="button button-secondary" to={`/access-points/${accessPoint.id}/settings`}>
          Settings<span className="rh-visually-hidden"> for {accessPoint.name}</span>
        </Link>
      </div>
      <p className={`rh-verdict rh-verdict-${verdict.tone}`}>{verdict.words}</p>
      <ReadinessPills checks={checks} label={`Readiness of ${accessPoint.name}`} />
      {consent.isError ? <ErrorNote error={consent.error} title="Could not read the consent." /> : null}
      <DoorControl accessPoint={accessPoint} />
      {accessPoint.cameraDeviceIds[0] ? (
        <CameraOnRequest cameraId={accessPoint.cameraDeviceIds[0]} place={accessPoint.name} />
      ) : null}
    </article>
  );
}

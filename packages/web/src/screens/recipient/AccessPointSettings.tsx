import { Link, useParams } from "react-router";
import { QueryState } from "../../ui/feedback";
import { ConsentForm } from "./ConsentForm";
import { useAccessPoint, useConsent } from "./home-data";
import { ACCESS_POINT_KIND_WORDS } from "./words";

/** `/access-points/:id/settings`: what one access point allows, edited by its owner. */
export function AccessPointSettings() {
  const { id = "" } = useParams();
  const accessPoint = useAccessPoint(id);
  const consent = useConsent(id);
  return (
    <div className="stack rh-settings">
      <Link className="rh-back" to="/home">
        ← Home
      </Link>
      <QueryState query={accessPoint} loading="Loading the access point…">
        {(detail) => (
          <div>
            <h1>{detail.name} settings</h1>
            <p className="small muted">
              {detail.name === ACCESS_POINT_KIND_WORDS[detail.kind] ? "" : `${ACCESS_POINT_KIND_WORDS[detail.kind]}. `}
              Couriers may open it only for the methods, days and hours you allow here; the camera records every visit.
            </p>
          </div>
        )}
      </QueryState>
      <QueryState query={consent} loading="Loading settings…">
        {(current) => <ConsentForm key={current.accessPointId} current={current} />}
      </QueryState>
    </div>
  );
}

import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { api, unwrap } from "../../api";
import { CameraPlayer } from "../../ui/CameraPlayer";
import { ErrorNote, QueryState, Spinner } from "../../ui/feedback";
import { formatClock } from "../../ui/format";
import { recipientKeys } from "./home-data";
import {
  formatElapsed,
  isInProgress,
  useAccessPointName,
  useLiveUpdates,
  useNow,
  useVisit,
  useVisitEvents,
  type Visit,
  type VisitEvent,
  visitStatusTone,
  visitStatusWords,
} from "./live-data";

/**
 * Watching one visit as it happens: the witness camera's live video, the door, the courier, the
 * status and how long it has taken, all updated from the event stream. The video's badge says LIVE
 * only while the server has fresh video from the camera.
 */
export function LiveVisit() {
  const { visitId = "" } = useParams();
  const visit = useVisit(visitId);
  useLiveUpdates();
  return (
    <div className="stack live-visit">
      <h1>Live delivery</h1>
      <QueryState query={visit} loading="Loading the visit…">
        {(data) => (
          <>
            <WitnessVideo visit={data} />
            <VisitDetails visit={data} />
          </>
        )}
      </QueryState>
    </div>
  );
}

/** Statuses before a camera was chosen to witness the visit, or for which none ever is. */
const NO_WITNESS_YET = new Set(["requested", "refused"]);

/**
 * The camera that witnesses the visit: the one its clip records (the server picks the first live
 * camera of the door when it authorizes), else the door's first camera.
 */
function useWitnessCamera(visit: Visit): { pending: boolean; cameraId: string | null; door: string | null } {
  const accessPointId = visit.accessPointId;
  const accessPoint = useQuery({
    queryKey: recipientKeys.accessPoint(accessPointId ?? ""),
    queryFn: async () =>
      unwrap(await api.GET("/v1/access-points/{id}", { params: { path: { id: accessPointId as string } } })),
    enabled: accessPointId !== null,
    staleTime: 5 * 60_000,
  });
  const visitId = visit.id;
  const clipEnabled = visitId !== null && !NO_WITNESS_YET.has(visit.status);
  const clipCamera = useQuery({
    // Not under ["recipient", "visits", …]: the event stream refreshes those, and the witness never changes.
    queryKey: ["recipient", "visit-witness", visitId],
    queryFn: async () =>
      unwrap(await api.GET("/v1/visits/{visitId}/clip", { params: { path: { visitId: visitId as string } } })).cameraId,
    enabled: clipEnabled,
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
  const door = accessPoint.data?.name ?? null;
  if (clipCamera.data) return { pending: false, cameraId: clipCamera.data, door };
  const pending = (clipEnabled && clipCamera.isPending) || (accessPointId !== null && accessPoint.isPending);
  return { pending, cameraId: pending ? null : (accessPoint.data?.cameraDeviceIds[0] ?? null), door };
}

function WitnessVideo({ visit }: { visit: Visit }) {
  const { pending, cameraId, door } = useWitnessCamera(visit);
  if (cameraId) return <CameraPlayer key={cameraId} deviceId={cameraId} label={door ? `Video of ${door}` : "Video"} />;
  return (
    <section className="video-panel live-video-panel" aria-label="Video">
      {pending ? (
        <Spinner label="Finding the camera…" />
      ) : (
        <div className="stack live-video-note">
          <strong>No camera to show</strong>
          <span className="small">
            This visit is not filmed: no camera watches this door or trunk, so there is no video to watch.
          </span>
        </div>
      )}
    </section>
  );
}

function VisitDetails({ visit }: { visit: Visit }) {
  const visitId = visit.id ?? "";
  const events = useVisitEvents(visitId);
  const door = useAccessPointName(visit.accessPointId);
  const running = isInProgress(visit.status);
  const now = useNow(running);
  const end = visit.endedAt ? new Date(visit.endedAt).getTime() : now;
  const elapsed = end - new Date(visit.requestedAt).getTime();
  const courier = courierFirstNameOf(events.data);

  return (
    <>
      <section className="card stack" aria-label="Visit">
        <dl className="live-facts">
          <div>
            <dt>Door</dt>
            <dd>{door.data ?? (door.isPending && visit.accessPointId ? "…" : "Unknown door")}</dd>
          </div>
          <div>
            <dt>Courier</dt>
            <dd>{courier ?? (events.isPending ? "…" : "Not named")}</dd>
          </div>
          <div>
            <dt>Status</dt>
            <dd aria-live="polite">
              <span className={`pill pill-${visitStatusTone(visit.status)}`}>{visitStatusWords(visit.status)}</span>
            </dd>
          </div>
          <div>
            <dt>{running ? "Elapsed" : "Took"}</dt>
            <dd className="live-elapsed">{formatElapsed(elapsed)}</dd>
          </div>
        </dl>
        {visit.reason ? <p className="note note-warn">{visit.reason}</p> : null}
        {visit.status === "secured" && visit.shipmentId ? (
          <Link to={`/deliveries/${visit.shipmentId}`} className="button button-secondary">
            See the proof of delivery
          </Link>
        ) : null}
      </section>
      <section className="card stack" aria-labelledby="live-steps-title">
        <h2 id="live-steps-title">Steps</h2>
        {events.isPending ? <Spinner label="Loading the steps…" /> : null}
        {events.isError ? <ErrorNote error={events.error} /> : null}
        {events.data ? <VisitSteps events={events.data} /> : null}
      </section>
    </>
  );
}

function courierFirstNameOf(events: VisitEvent[] | undefined): string | null {
  const name = events?.find((e) => e.type === "visit.authorized")?.data.courierFirstName;
  return typeof name === "string" && name !== "" ? name : null;
}

function VisitSteps({ events }: { events: VisitEvent[] }) {
  const steps = events.filter((e) => e.type.startsWith("visit."));
  if (steps.length === 0) return <p className="muted">No steps recorded yet.</p>;
  return (
    <ol className="timeline">
      {steps.map((event) => (
        <li key={event.id}>
          <span className="spread">
            <span>{visitStatusWords(event.type.slice("visit.".length))}</span>
            <time dateTime={event.at} className="muted">
              {formatClock(event.at)}
            </time>
          </span>
        </li>
      ))}
    </ol>
  );
}

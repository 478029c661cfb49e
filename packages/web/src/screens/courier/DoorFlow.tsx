import { errorCode, ThresholdApiError } from "../../api";
import { Button } from "../../ui/button";
import { ErrorNote } from "../../ui/feedback";
import {
  AlreadyDelivered,
  LockedAnswer,
  NotLockedAnswer,
  OpenAnswer,
  RefusedAnswer,
  ScanProgress,
} from "./DoorAnswers";
import { ReadinessList } from "./ReadinessList";
import { ScanPanel } from "./ScanPanel";
import type { Stop } from "./stops-data";
import { useDoorVisit } from "./use-door-visit";

/**
 * At the door: scan (or type) → the server's answer → lock up → next stop. One visit at a time;
 * the page is remounted per stop, so nothing of the last stop lingers.
 */
export function DoorFlow({ stop, stops }: { stop: Stop; stops: readonly Stop[] }) {
  const { scan, secure, step, current } = useDoorVisit(stop);

  if (current?.status === "secured") return <LockedAnswer stop={stop} stops={stops} />;
  if (stop.deliveredAt) return <AlreadyDelivered stop={stop} stops={stops} />;
  if (current?.id) {
    const visitId = current.id;
    const lock = () => secure.mutate(visitId);
    if (current.status === "open") {
      return <OpenAnswer visit={current} securing={secure.isPending} secureError={secure.error} onDone={lock} />;
    }
    return <NotLockedAnswer visit={current} retrying={secure.isPending} onRetry={lock} />;
  }

  return (
    <div className="stack">
      {scan.isIdle ? <ReadinessList stop={stop} /> : null}
      {scan.isPending ? <ScanProgress step={step} /> : null}
      {scan.data ? <RefusedAnswer visit={scan.data} /> : null}
      {scan.isError ? <ScanFailure error={scan.error} onRetry={() => scan.mutate(scan.variables)} /> : null}
      <ScanPanel busy={scan.isPending} onSubmit={(trackingNumber) => scan.mutate(trackingNumber)} />
    </div>
  );
}

/** No answer about the door: say why, and offer the same scan again (same key, so it opens once). */
function ScanFailure({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const unanswered = !(error instanceof ThresholdApiError);
  return (
    <div className="stack">
      <ErrorNote error={error} title={errorCode(error) === "conflict" ? "Not now." : "Not opened."} />
      {unanswered ? (
        <Button variant="secondary" onClick={onRetry}>
          Try again
        </Button>
      ) : null}
    </div>
  );
}

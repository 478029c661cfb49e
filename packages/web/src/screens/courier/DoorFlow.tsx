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
  TypeCodeAnswer,
} from "./DoorAnswers";
import { ReadinessList } from "./ReadinessList";
import { ScanPanel } from "./ScanPanel";
import { StopCode, useStopCode } from "./StopCode";
import type { Stop } from "./stops-data";
import { useDoorVisit } from "./use-door-visit";

/**
 * At the door: scan (or type) → the server's answer → lock up → next stop. One visit at a time;
 * the page is remounted per stop, so nothing of the last stop lingers.
 */
export function DoorFlow({ stop, stops }: { stop: Stop; stops: readonly Stop[] }) {
  const code = useStopCode(stop);
  const { scan, secure, step, current, ended } = useDoorVisit(stop, code?.kind === "online" ? code.id : undefined);

  if (current?.status === "secured") return <LockedAnswer stop={stop} stops={stops} />;
  if (stop.deliveredAt) return <AlreadyDelivered stop={stop} stops={stops} />;
  if (current?.id) {
    const visitId = current.id;
    const lock = () => secure.mutate(visitId);
    if (current.status === "opening" && code?.code) return <TypeCodeAnswer visit={current} digits={code.code} />;
    if (current.status === "open") {
      return (
        <OpenAnswer
          visit={current}
          securing={secure.isPending}
          secureError={secure.error}
          onDone={lock}
          trunk={stop.method === "in_trunk" ? stop.direction : undefined}
        />
      );
    }
    return <NotLockedAnswer visit={current} retrying={secure.isPending} onRetry={lock} />;
  }

  return (
    <div className="stack">
      {code ? <StopCode code={code} /> : null}
      {ended ? <RefusedAnswer visit={ended} /> : null}
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

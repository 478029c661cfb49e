import { useEffect, useState } from "react";
import { Link, useLocation, useParams } from "react-router";
import { useSession } from "../../session";
import { ErrorNote, QueryState, Spinner } from "../../ui/feedback";
import { formatWindow } from "../../ui/format";
import { AccessCodes } from "./AccessCodes";
import { AssignCourier } from "./AssignCourier";
import { labelUrl, useCouriers, useLabelPng, useShipment } from "./carrier-data";
import { METHOD_WORDS, STATUS_WORDS } from "./words";

/** An object URL for `blob` that lives exactly as long as the component showing it. */
function useObjectUrl(blob: Blob | undefined): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!blob) return;
    const objectUrl = URL.createObjectURL(blob);
    setUrl(objectUrl);
    return () => {
      URL.revokeObjectURL(objectUrl);
      setUrl(null);
    };
  }, [blob]);
  return url;
}

function LabelPreview({ shipmentId, trackingNumber }: { shipmentId: string; trackingNumber: string }) {
  const png = useLabelPng(shipmentId);
  const url = useObjectUrl(png.data);
  if (png.isError) return <ErrorNote error={png.error} title="Could not load the label." />;
  if (!url) return <Spinner label="Rendering the label…" />;
  return (
    <img className="cr-label-image" src={url} alt={`Shipping label for ${trackingNumber}`} width={406} height={609} />
  );
}

/** What the page that sent us here had to say (NewShipment: created, and whether it was assigned). */
function noticeOf(state: unknown): string | null {
  if (typeof state !== "object" || state === null || !("notice" in state)) return null;
  return typeof state.notice === "string" ? state.notice : null;
}

/**
 * One shipment: its status, window and courier (assign or reassign), its 4×6 label (a preview, the
 * PDF to print and the PNG for thermal printers) and its keypad codes.
 */
export function LabelPage() {
  const { shipmentId = "" } = useParams();
  const { me } = useSession();
  const notice = noticeOf(useLocation().state);
  const shipment = useShipment(shipmentId);
  const couriers = useCouriers(me.carrierId);
  return (
    <div className="stack cr-page">
      <Link to="/shipments" className="small tap-link">
        ← All shipments
      </Link>
      <QueryState query={shipment} loading="Loading the shipment…">
        {(found) => (
          <>
            <div>
              <h1>Label {found.trackingNumber}</h1>
              <p className="small muted cr-flush">
                {STATUS_WORDS[found.status].label} · {METHOD_WORDS[found.method] ?? found.method} ·{" "}
                {formatWindow(found.window, found.timeZone)}
              </p>
            </div>
            {notice ? (
              <p className="note note-ok" role="status">
                {notice}
              </p>
            ) : null}
            <div className="card stack">
              <p className="cr-flush">
                Courier:{" "}
                {found.courierId ? (
                  (couriers.data?.find((c) => c.id === found.courierId)?.name ?? found.courierId)
                ) : (
                  <span className="muted">Not assigned</span>
                )}
              </p>
              <AssignCourier shipment={found} couriers={couriers.data} />
            </div>
            <div className="cr-label-layout">
              <div className="card cr-label-frame">
                <LabelPreview shipmentId={found.id} trackingNumber={found.trackingNumber} />
              </div>
              <div className="stack cr-label-actions">
                <a className="button button-primary" href={labelUrl(found.id, "pdf")} target="_blank" rel="noopener">
                  Open PDF to print
                </a>
                <a
                  className="button button-secondary"
                  href={labelUrl(found.id, "pdf")}
                  download={`label-${found.trackingNumber}.pdf`}
                >
                  Download PDF
                </a>
                <a
                  className="button button-secondary"
                  href={labelUrl(found.id, "png")}
                  download={`label-${found.trackingNumber}.png`}
                >
                  Download PNG
                </a>
                <p className="small muted">
                  4 × 6 inch. The PDF suits office printers; the PNG is 203 dpi, one dot per pixel, for thermal label
                  printers.
                </p>
              </div>
            </div>
            {found.method === "in_home" ? <AccessCodes shipment={found} /> : null}
          </>
        )}
      </QueryState>
    </div>
  );
}

import { type FormEvent, useRef, useState } from "react";
import { useLabelScanner } from "../../scan/use-label-scanner";
import { Button } from "../../ui/button";

/**
 * The two ways to give the package's number: the back camera reading the label, or typing it.
 * Whatever is read is handed to `onSubmit` as is — the server decides whether it belongs here.
 */
export function ScanPanel({ onSubmit, busy }: { onSubmit: (trackingNumber: string) => void; busy: boolean }) {
  const [scanning, setScanning] = useState(false);
  const [cameraProblem, setCameraProblem] = useState<string | null>(null);
  const [typed, setTyped] = useState("");
  const video = useRef<HTMLVideoElement>(null);
  const phase = useLabelScanner(video, scanning, {
    onCode: (code) => {
      setScanning(false);
      onSubmit(code);
    },
    onFailure: (message) => {
      setScanning(false);
      setCameraProblem(message);
    },
  });

  const check = (event: FormEvent) => {
    event.preventDefault();
    const trackingNumber = typed.trim();
    if (!trackingNumber) return;
    setScanning(false);
    onSubmit(trackingNumber);
  };

  return (
    <section className="stack scan-panel" aria-label="Scan the package">
      {scanning ? (
        <div className="stack">
          <div className="video-panel camera-panel">
            <video ref={video} className="camera-video" aria-label="Camera preview" playsInline muted />
            <div className="camera-frame" aria-hidden="true" />
            <p className="camera-hint" role="status">
              {phase === "scanning" ? "Point the camera at the label" : "Starting the camera…"}
            </p>
          </div>
          <Button variant="secondary" size="large" onClick={() => setScanning(false)}>
            Stop scanning
          </Button>
        </div>
      ) : (
        <Button
          size="large"
          className="scan-button"
          onClick={() => {
            setCameraProblem(null);
            setScanning(true);
          }}
          disabled={busy}
        >
          <span aria-hidden="true">▣ </span>Scan
        </Button>
      )}
      {cameraProblem ? (
        <p className="note note-error" role="alert">
          {cameraProblem}
        </p>
      ) : null}
      <form className="row manual-entry" onSubmit={check}>
        <label className="manual-label">
          Tracking number
          <input
            value={typed}
            onChange={(event) => setTyped(event.target.value)}
            autoCapitalize="characters"
            autoComplete="off"
            spellCheck={false}
            enterKeyHint="go"
            maxLength={64}
          />
        </label>
        <Button type="submit" variant="secondary" disabled={busy || typed.trim() === ""}>
          Check
        </Button>
      </form>
    </section>
  );
}

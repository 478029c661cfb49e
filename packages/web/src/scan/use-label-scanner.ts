import { type RefObject, useEffect, useRef, useState } from "react";
import { getBarcodeReader } from "./barcode-reader";
import { CameraError, openBackCamera, stopCamera } from "./camera";

/** How often a frame is read: fast enough to feel instant, slow enough to spare the battery. */
const FRAME_INTERVAL_MS = 150;

export type ScannerPhase = "idle" | "starting" | "scanning";

export interface ScannerHandlers {
  /** The first label read; the camera is already off. */
  onCode(code: string): void;
  /** The camera or the reader could not start: a sentence for the courier. The camera is off. */
  onFailure(message: string): void;
}

/**
 * While `active`, shows the back camera in `video` and reads a frame every ~150 ms; on the first
 * label read it stops the camera and calls `onCode`. The camera also stops when `active` turns
 * false or the component unmounts (the courier left), so it is never left running.
 */
export function useLabelScanner(
  video: RefObject<HTMLVideoElement | null>,
  active: boolean,
  handlers: ScannerHandlers,
): ScannerPhase {
  const [phase, setPhase] = useState<ScannerPhase>("idle");
  // The latest callbacks, without restarting the camera when the parent re-renders.
  const handlersRef = useRef(handlers);
  handlersRef.current = handlers;

  useEffect(() => {
    if (!active) {
      setPhase("idle");
      return;
    }
    let cancelled = false;
    let stream: MediaStream | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = () => {
      cancelled = true;
      clearTimeout(timer);
      stopCamera(stream);
      stream = null;
      if (video.current) video.current.srcObject = null;
    };

    setPhase("starting");
    void (async () => {
      try {
        // The reader loads while the camera starts (and while the permission prompt is up).
        const reading = getBarcodeReader();
        reading.catch(() => undefined); // reported below, once awaited
        const opened = await openBackCamera();
        stream = opened;
        const element = video.current;
        if (cancelled || !element) return stop();
        element.srcObject = opened;
        await element.play();
        if (cancelled) return;
        setPhase("scanning");
        const reader = await reading;
        const readFrame = async () => {
          if (cancelled) return;
          // HAVE_CURRENT_DATA: there is a frame to read.
          const code = element.readyState >= 2 ? await reader.read(element).catch(() => null) : null;
          if (cancelled) return;
          if (code) {
            stop();
            setPhase("idle");
            handlersRef.current.onCode(code);
            return;
          }
          timer = setTimeout(readFrame, FRAME_INTERVAL_MS);
        };
        await readFrame();
      } catch (error) {
        if (cancelled) return;
        stop();
        setPhase("idle");
        handlersRef.current.onFailure(
          error instanceof CameraError
            ? error.message
            : "The label reader could not load. Check your connection, or type the tracking number.",
        );
      }
    })();
    return stop;
  }, [active, video]);

  return phase;
}

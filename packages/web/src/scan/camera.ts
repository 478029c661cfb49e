/** The phone's back camera, for reading labels; every failure comes back as a sentence for the courier. */

export class CameraError extends Error {}

export async function openBackCamera(): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new CameraError(
      "This browser cannot use the camera here (it needs a secure https connection). Type the tracking number instead.",
    );
  }
  try {
    return await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
    });
  } catch (error) {
    throw new CameraError(cameraProblem(error));
  }
}

export function stopCamera(stream: MediaStream | null): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

function cameraProblem(error: unknown): string {
  const name = error instanceof DOMException ? error.name : "";
  switch (name) {
    case "NotAllowedError":
    case "SecurityError":
      return "Camera access is blocked. Allow the camera for this site in your browser settings, or type the tracking number.";
    case "NotFoundError":
    case "OverconstrainedError":
      return "No camera was found on this device. Type the tracking number instead.";
    case "NotReadableError":
    case "AbortError":
      return "The camera is busy in another app. Close it and tap Scan again, or type the tracking number.";
    default:
      return "The camera could not start. Tap Scan again, or type the tracking number.";
  }
}

/** Whether a camera's video is current: what the live view shows and what opening a door requires. */
export type Freshness = "live" | "stale";

/** The facts about a camera's newest segment that freshness depends on (milliseconds since the epoch). */
export interface NewestSegment {
  /** When the server received it, by the server's clock. */
  receivedAt: number;
  /** Capture time of its first frame, by the camera's clock. */
  startedAt: number;
  durationMs: number;
  /** Whether the camera signed it: unsigned video (stored before signatures were required) vouches for nothing. */
  signed: boolean;
}

export interface CameraFreshness {
  freshness: Freshness;
  /** When the newest segment arrived (server clock), or null when the camera never sent one. */
  lastSegmentAt: number | null;
  /** Capture time of the newest segment's last frame (camera clock), or null. */
  lastFrameAt: number | null;
}

/**
 * A camera is live only while its newest segment arrived no longer ago than two segment durations
 * plus `slackMs` for the upload: one segment late is normal (it is being recorded while the last
 * one uploads), two is a camera that froze or lost its link (DESIGN.md section 7). Measured only on
 * the server's clock — the camera's own clock could be the thing that is wrong — and pure, so the
 * live view and the visit flow apply the very same rule. Only video the camera signed counts: a
 * newest segment without its signature is never live, however recent.
 */
export function cameraFreshness(newest: NewestSegment | null, now: number, slackMs: number): CameraFreshness {
  if (!newest) return { freshness: "stale", lastSegmentAt: null, lastFrameAt: null };
  const age = now - newest.receivedAt;
  return {
    freshness: newest.signed && age <= 2 * newest.durationMs + slackMs ? "live" : "stale",
    lastSegmentAt: newest.receivedAt,
    lastFrameAt: newest.startedAt + newest.durationMs,
  };
}

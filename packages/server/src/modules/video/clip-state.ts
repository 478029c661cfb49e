/** Whether a visit's clip is still filling up, whole, or has holes. */
export type ClipState = "recording" | "complete" | "incomplete";

export interface ClipSpan {
  startedAt: number;
  durationMs: number;
}

export interface ClipStatus {
  state: ClipState;
  /** Stretches of the window without video (a camera that was lost, restarted or dropped segments). */
  gaps: { from: number; until: number }[];
}

/** Video closer together than this is continuous: segment ends are rounded to the millisecond, encoders jitter. */
export const GAP_TOLERANCE_MS = 500;

/**
 * The state of a clip window [from, until) holding `segments`. It records until the window closed
 * and its last segments have had time to arrive (`settleMs`, the same allowance as freshness);
 * then it is complete when video covers the window end to end, and incomplete otherwise. Gaps in
 * the middle are reported at once; a missing tail only once the clip settled.
 */
export function clipStatus(
  window: { from: number; until: number | null },
  segments: readonly ClipSpan[],
  now: number,
  settleMs: number,
): ClipStatus {
  const settled = window.until !== null && now >= window.until + settleMs;
  const gaps: ClipStatus["gaps"] = [];
  let covered = window.from;
  for (const segment of [...segments].sort((a, b) => a.startedAt - b.startedAt)) {
    if (segment.startedAt > covered + GAP_TOLERANCE_MS) gaps.push({ from: covered, until: segment.startedAt });
    covered = Math.max(covered, segment.startedAt + segment.durationMs);
  }
  if (settled && window.until !== null && covered < window.until - GAP_TOLERANCE_MS) {
    gaps.push({ from: covered, until: window.until });
  }
  if (!settled) return { state: "recording", gaps };
  return { state: gaps.length === 0 ? "complete" : "incomplete", gaps };
}

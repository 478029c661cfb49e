/**
 * Whether a device message's time can be believed (hostile finding 2, issue 15). A signature proves
 * who wrote a message, not when it was sent: anyone holding a device's MQTT credentials can publish
 * again what the device once signed. Time is what tells a replay from a report.
 */

/** What the gateway remembers of a device's past reports. */
export interface FreshnessMarks {
  /** The device's `at` of the newest state report accepted; null before the first. */
  stateAt: number | null;
  /** An offline report (last will, goodbye) must be newer than this; null when none is known. */
  offlineAfter: number | null;
}

/** Why a message's time was refused; the text is what the gateway logs and announces as `reason`. */
export const TIME_REFUSALS = {
  future: "sent from the future: beyond the allowed clock skew",
  stale: "stale state: older than the allowed clock skew",
  notNewer: "replayed state: not newer than the last accepted state",
  oldOffline: "replayed offline report: from a connection that is over",
} as const;

export type TimeRefusal = (typeof TIME_REFUSALS)[keyof typeof TIME_REFUSALS];

/**
 * The refusal of a state report, or null to accept it. A state that reports the device online must
 * be newer than the last accepted one and within `maxSkewMs` of the server's clock, either way: so a
 * captured state can never be shown again, nor keep a silent device "online". An offline report
 * (the last will, signed when the device connected, so old by design) needs no recent time, only to
 * be newer than everything of the device's earlier connections.
 */
export function stateRefusal(
  marks: FreshnessMarks,
  state: { at: number; online: boolean },
  now: number,
  maxSkewMs: number,
): TimeRefusal | null {
  if (state.at > now + maxSkewMs) return TIME_REFUSALS.future;
  if (!state.online) {
    return marks.offlineAfter !== null && state.at <= marks.offlineAfter ? TIME_REFUSALS.oldOffline : null;
  }
  if (state.at < now - maxSkewMs) return TIME_REFUSALS.stale;
  if (marks.stateAt !== null && state.at <= marks.stateAt) return TIME_REFUSALS.notNewer;
  return null;
}

/**
 * Events and acks may arrive late (a lock offline for an hour sends what happened then when it is
 * back), so only a time further ahead than the skew is refused: no honest device sends one.
 */
export function futureRefusal(at: number, now: number, maxSkewMs: number): TimeRefusal | null {
  return at > now + maxSkewMs ? TIME_REFUSALS.future : null;
}

/** The marks after an offline report was accepted: everything up to it and the device's last state is an ended connection's. */
export function afterOffline(marks: FreshnessMarks, offlineAt: number): FreshnessMarks {
  return { ...marks, offlineAfter: Math.max(marks.offlineAfter ?? 0, marks.stateAt ?? 0, offlineAt) };
}

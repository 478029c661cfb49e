import type { DeliveryProof } from "@threshold/protocol";

/** One step of a delivery as the proof shows it, with who vouches for it. */
export interface ProofStep {
  label: string;
  /** ISO time, or null when the proof holds no record of the step. */
  at: string | null;
  /** Who stated it: the server's record, or a device's own signature. */
  source: string;
}

type Command = DeliveryProof["commands"][number];
type DeviceEvent = DeliveryProof["deviceEvents"][number];

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/**
 * The steps of a delivery in the order they must happen: requested, camera recording, unlocked,
 * door opened and closed, locked, secured. A device step takes the device's signed answer to the
 * command, or else its own signed event.
 */
export function proofSteps(proof: DeliveryProof): ProofStep[] {
  const answered = (action: string, test: (c: Command) => boolean = () => true) =>
    proof.commands.find((c) => c.message.action === action && c.ack?.status === "succeeded" && test(c))?.ack?.at;
  const reported = (type: DeviceEvent["type"], pick: "first" | "last" = "first") => {
    const matching = proof.deviceEvents.filter((e) => e.type === type);
    return (pick === "first" ? matching[0] : matching.at(-1))?.at;
  };
  const locked = (c: Command) => {
    const state = c.ack?.state;
    return state !== undefined && "lock" in state && state.lock === "locked";
  };
  const byDevice = (kind: string) => `Signed by the ${kind}`;

  return [
    {
      label: "Requested",
      at: proof.visit.requestedAt,
      source: `Scanned by ${proof.visit.courierFirstName || "the courier"}`,
    },
    {
      label: "Camera recording",
      at: iso(answered("record_start") ?? reported("camera.recording_started")),
      source: byDevice("camera"),
    },
    { label: "Unlocked", at: iso(answered("unlock") ?? reported("lock.unlocked")), source: byDevice("lock") },
    { label: "Door opened", at: iso(reported("door.opened")), source: byDevice("lock") },
    { label: "Door closed", at: iso(reported("door.closed", "last")), source: byDevice("lock") },
    { label: "Locked", at: iso(answered("lock", locked) ?? reported("lock.locked", "last")), source: byDevice("lock") },
    { label: "Secured", at: proof.visit.securedAt, source: "Recorded by Threshold" },
  ];
}

/** "lock", "camera": which device signed an event, by its key in the proof. */
export function deviceKindOf(proof: DeliveryProof, deviceId: string): string {
  return proof.keys.devices.find((d) => d.deviceId === deviceId)?.kind ?? "device";
}

const EVENT_LABELS: Record<string, string> = {
  "lock.locked": "Locked",
  "lock.unlocked": "Unlocked",
  "door.opened": "Door opened",
  "door.closed": "Door closed",
  "camera.recording_started": "Recording started",
  "camera.recording_stopped": "Recording stopped",
  "alarm.jammed": "Lock jammed",
  "alarm.forced": "Door forced",
  "alarm.ajar": "Door left ajar",
  "command.rejected": "Command rejected",
  "battery.low": "Battery low",
};

export function deviceEventLabel(type: string): string {
  return EVENT_LABELS[type] ?? type;
}

const ACTION_LABELS: Record<string, string> = {
  unlock: "Unlock",
  lock: "Lock",
  record_start: "Start recording",
  record_stop: "Stop recording",
};

export function commandLabel(action: string): string {
  return ACTION_LABELS[action] ?? action;
}

/** What a clip needs for its words and moments: the API's clip (ISO times). */
interface ClipTimes {
  state: "recording" | "complete" | "incomplete";
  gaps: { from: string; until: string }[];
  segments: { startedAt: string; durationMs: number }[];
}

/**
 * The clip's state in words: "Recording…", "Complete", or "Incomplete — no video from 10:02:04 to
 * 10:02:31" with every gap. `clock` formats an ISO time (the viewer's zone).
 */
export function clipStateWords(clip: Pick<ClipTimes, "state" | "gaps">, clock: (iso: string) => string): string {
  if (clip.state === "recording") return "Recording…";
  if (clip.state === "complete") return "Complete";
  if (clip.gaps.length === 0) return "Incomplete";
  const gaps = clip.gaps.map((gap) => `from ${clock(gap.from)} to ${clock(gap.until)}`);
  return `Incomplete — no video ${gaps.join(", and ")}`;
}

/**
 * Where an instant is in the clip's video, in seconds from its start: the player's time. The video
 * is the segments one after the other, so a gap takes no time in it; null when no segment holds
 * the instant.
 */
export function clipPosition(segments: ClipTimes["segments"], iso: string): number | null {
  const at = Date.parse(iso);
  let before = 0;
  for (const segment of segments) {
    const start = Date.parse(segment.startedAt);
    if (start <= at && at <= start + segment.durationMs) return (before + at - start) / 1000;
    before += segment.durationMs;
  }
  return null;
}

/** "0:07", "1:05", "1:02:03": a position in a video, as players show it. */
export function formatVideoTime(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const [h, m, s] = [Math.floor(whole / 3600), Math.floor((whole % 3600) / 60), whole % 60];
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** A moment of the visit and where it is in the clip (null: not in the video). */
export interface ClipMoment {
  label: string;
  at: string;
  seconds: number | null;
}

/** The moments the clip is for: the door unlocked and the door proven locked, where the proof has them. */
export function clipMoments(
  clip: Pick<ClipTimes, "segments">,
  visit: Pick<DeliveryProof["visit"], "openedAt" | "securedAt">,
): ClipMoment[] {
  const moments: ClipMoment[] = [];
  if (visit.openedAt) {
    moments.push({ label: "Door unlocked", at: visit.openedAt, seconds: clipPosition(clip.segments, visit.openedAt) });
  }
  if (visit.securedAt) {
    moments.push({ label: "Locked", at: visit.securedAt, seconds: clipPosition(clip.segments, visit.securedAt) });
  }
  return moments;
}

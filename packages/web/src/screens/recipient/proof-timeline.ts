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

import type { DeviceSummary } from "@threshold/devices";

/** One line per device: what a person at the door would see, from what the device reports. */
export function describeDevice(device: DeviceSummary): string {
  const online = device.online ? "online" : "OFFLINE";
  return `${device.name} (${device.kind.replace("_", " ")}, ${online}, ${device.deviceId}): ${describeState(device)}`;
}

function describeState(device: DeviceSummary): string {
  const state = device.state as Record<string, unknown>;
  if (device.kind === "locker_controller" && Array.isArray(state.compartments)) {
    const compartments = (state.compartments as { n: number; door: string; occupied: boolean; jammed: boolean }[])
      .map((c) => `${c.n} ${c.door}${c.occupied ? " full" : ""}${c.jammed ? " JAMMED" : ""}`)
      .join(", ");
    return `compartments ${compartments}${state.lockedOut ? "; kiosk locked out" : ""}`;
  }
  const parts = Object.entries(state).map(([key, value]) =>
    typeof value === "object" && value !== null ? `${key} ${JSON.stringify(value)}` : `${key} ${String(value)}`,
  );
  if (device.frozen !== undefined) parts.push(device.frozen ? "picture FROZEN" : "picture live");
  return parts.join(", ");
}

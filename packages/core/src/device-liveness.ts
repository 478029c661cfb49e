/**
 * How many heartbeats a device may miss before it counts as gone. The gateway clears `online` when a
 * device disconnects cleanly; a device that vanished without a goodbye (power cut, network loss) is
 * caught by its silence: two missed heartbeats and a margin.
 */
export const MISSED_HEARTBEATS = 2.5;

/**
 * Whether a device counts as online now: connected, and heard from within MISSED_HEARTBEATS of its
 * heartbeat. A visit trusts only an online device's report (docs/architecture.md rule 9, fail closed).
 */
export function isDeviceLive(
  device: { connected: boolean; lastSeenAt: number | null },
  at: { now: number; heartbeatMs: number },
): boolean {
  return (
    device.connected && device.lastSeenAt !== null && at.now - device.lastSeenAt <= MISSED_HEARTBEATS * at.heartbeatMs
  );
}

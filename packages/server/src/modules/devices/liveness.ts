import { isDeviceLive } from "@threshold/core";
import type { AppContext } from "../../context.js";
import type { Database } from "../../db/schema.js";

/** What deciding "online" needs: the time now and the heartbeat devices keep. */
export interface Liveness {
  now: number;
  heartbeatMs: number;
}

export function deviceLiveness(ctx: Pick<AppContext, "clock" | "config">): Liveness {
  return { now: ctx.clock.now(), heartbeatMs: ctx.config.deviceHeartbeatMs };
}

/** Whether a stored device counts as online now (the rule is core's `isDeviceLive`). */
export function isOnline(row: Pick<Database["devices"], "online" | "last_seen_at">, liveness: Liveness): boolean {
  return isDeviceLive({ connected: row.online === 1, lastSeenAt: row.last_seen_at }, liveness);
}

/** A device's stored reported state, or null when it has none or it is not an object. */
export function reportedState(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

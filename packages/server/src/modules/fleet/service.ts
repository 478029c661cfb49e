import { type DeviceKind, ThresholdError } from "@threshold/core";
import type { AppContext } from "../../context.js";
import { deviceLiveness, isOnline, reportedState } from "../devices/index.js";
import { countFleet, type FleetRow, listFleet } from "./repository.js";
import { DEVICE_ID, type FleetDevice, type FleetPage, type FleetQuery } from "./schemas.js";

type Ctx = Pick<AppContext, "db" | "clock" | "config">;

export const DEFAULT_FLEET_PAGE = 50;

// Must match MISSED_HEARTBEATS in devices/schemas.ts (isOnline): the filter and each row's
// `online` are decided alike; the tests hold them together.
const MISSED_HEARTBEATS = 2.5;

function encodeCursor(id: string): string {
  return Buffer.from(id).toString("base64url");
}

function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, "base64url").toString("utf8");
  if (!DEVICE_ID.test(id)) throw new ThresholdError("invalid_request", "cursor is not a nextCursor this API gave out.");
  return id;
}

function batteryOf(state: Record<string, unknown> | null): number | null {
  const battery = state?.battery;
  return typeof battery === "number" && Number.isInteger(battery) && battery >= 0 && battery <= 100 ? battery : null;
}

function toFleetDevice(row: FleetRow, liveness: ReturnType<typeof deviceLiveness>): FleetDevice {
  const state = reportedState(row.reported_state);
  return {
    id: row.id,
    kind: row.kind as DeviceKind,
    name: row.name,
    model: row.model,
    firmware: row.firmware,
    siteId: row.site_id,
    siteName: row.site_name,
    online: isOnline(row, liveness),
    lastSeenAt: row.last_seen_at === null ? null : new Date(Number(row.last_seen_at)).toISOString(),
    battery: batteryOf(state),
    reportedState: state,
    pairedAt: new Date(Number(row.paired_at)).toISOString(),
    takeovers: {
      count: Number(row.takeover_count ?? 0),
      lastAt: (row.last_takeover_at ?? null) === null ? null : new Date(Number(row.last_takeover_at)).toISOString(),
    },
  };
}

/** Every active device on the platform, for the people who run it (the route checks the role). */
export async function listFleetDevices(ctx: Ctx, query: FleetQuery): Promise<FleetPage> {
  const liveness = deviceLiveness(ctx);
  const liveSince = liveness.now - MISSED_HEARTBEATS * liveness.heartbeatMs;
  const limit = query.limit ?? DEFAULT_FLEET_PAGE;
  const [rows, counts] = await Promise.all([
    listFleet(ctx.db, {
      ...(query.kind !== undefined ? { kind: query.kind } : {}),
      ...(query.status !== undefined ? { status: query.status } : {}),
      ...(query.cursor !== undefined ? { afterId: decodeCursor(query.cursor) } : {}),
      liveSince,
      limit: limit + 1,
    }),
    countFleet(ctx.db, query.kind, liveSince),
  ]);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    devices: page.map((row) => toFleetDevice(row, liveness)),
    counts: { total: counts.total, online: counts.online, offline: counts.total - counts.online },
    nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null,
  };
}

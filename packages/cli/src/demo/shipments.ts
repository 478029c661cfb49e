import { createThresholdClient, type paths, type ThresholdClient, unwrap } from "@threshold/sdk";
import { rescheduleShipment, type ServerHandle, SYSTEM_ACTOR } from "@threshold/server";
import { DEMO_ACCOUNTS } from "./accounts.js";

const HOUR = 3_600_000;

/** The demo's shipments, each with the part it plays: which window, where to, how. */
const PLAN = {
  // Inside its window: it opens.
  ready: { suffix: "A", from: -HOUR, to: 4 * HOUR, method: "in_home" },
  // Its window starts later: the scan shows a refusal.
  later: { suffix: "B", from: 3 * HOUR, to: 7 * HOUR, method: "in_home" },
  // Into the trunk of Alex's car.
  trunk: { suffix: "C", from: -HOUR, to: 4 * HOUR, method: "in_trunk" },
  // Into the lobby lockers, for Jo.
  locker: { suffix: "L", from: -HOUR, to: 8 * HOUR, method: "locker" },
} as const;

export type DemoShipmentRole = keyof typeof PLAN;
export type DemoShipmentRefs = Record<DemoShipmentRole, { id: string; trackingNumber: string }>;

const ROLES = Object.keys(PLAN) as DemoShipmentRole[];

type ShipmentBody = NonNullable<paths["/v1/shipments"]["post"]["requestBody"]>["content"]["application/json"];
type Shipment = paths["/v1/shipments/{id}"]["get"]["responses"][200]["content"]["application/json"];

/** The window a role's shipment has when it plays its part at `now`. */
export function plannedWindow(role: DemoShipmentRole, now: number): { start: number; end: number } {
  return { start: now + PLAN[role].from, end: now + PLAN[role].to };
}

/**
 * Whether a shipment's window no longer plays its part: one meant to be open now has ended, one
 * meant to start later has started. A delivered (or dropped, cancelled) one keeps its window: it is
 * what the demo did, and its proof shows it.
 */
export function needsNewWindow(role: DemoShipmentRole, shipment: Pick<Shipment, "status" | "window">, now: number) {
  if (shipment.status !== "created" && shipment.status !== "assigned") return false;
  const opensLater = PLAN[role].from > 0;
  return opensLater ? Date.parse(shipment.window.start) <= now : Date.parse(shipment.window.end) <= now;
}

/**
 * The demo's shipments, made once through the carrier API and kept in the demo's state; a restart
 * finds them again and moves a window that has passed to today, so it shows the same demo (until
 * issue 16 every start made four more). Answers them, whether it made them, and how many it moved.
 */
export async function ensureDemoShipments(
  server: ServerHandle,
  apiKey: string,
  sites: { home: string; building: string },
  known: DemoShipmentRefs | undefined,
): Promise<{ shipments: DemoShipmentRefs; created: boolean; moved: number }> {
  const carrier = createThresholdClient({ baseUrl: server.url, apiKey });
  const found = known ? await readAll(carrier, known) : undefined;
  if (!known || !found) return { shipments: await createAll(server, carrier, sites), created: true, moved: 0 };
  const now = Date.now();
  let moved = 0;
  for (const role of ROLES) {
    if (!needsNewWindow(role, found[role], now)) continue;
    await rescheduleShipment(server.ctx, known[role].id, plannedWindow(role, now), SYSTEM_ACTOR);
    moved++;
  }
  return { shipments: known, created: false, moved };
}

/** Each stored shipment as the API shows it now; undefined when one is gone (a new database). */
async function readAll(carrier: ThresholdClient, known: DemoShipmentRefs) {
  const found: Partial<Record<DemoShipmentRole, Shipment>> = {};
  for (const role of ROLES) {
    const { data } = await carrier.GET("/v1/shipments/{id}", { params: { path: { id: known[role].id } } });
    if (!data) return undefined;
    found[role] = data;
  }
  return found as Record<DemoShipmentRole, Shipment>;
}

async function createAll(
  server: ServerHandle,
  carrier: ThresholdClient,
  sites: { home: string; building: string },
): Promise<DemoShipmentRefs> {
  const courier = await server.ctx.db
    .selectFrom("users")
    .select("id")
    .where("email", "=", DEMO_ACCOUNTS.courier.email)
    .executeTakeFirstOrThrow();
  // To the second: numbers stay unique even if a new database is seeded within the same minute.
  const stamp = new Date().toISOString().slice(5, 19).replace(/[-T:]/g, "");
  const now = Date.now();
  const made: Partial<DemoShipmentRefs> = {};
  for (const role of ROLES) {
    const { suffix, method } = PLAN[role];
    const window = plannedWindow(role, now);
    const body: ShipmentBody = {
      trackingNumber: `DEMO-${stamp}-${suffix}`,
      method,
      window: { start: new Date(window.start).toISOString(), end: new Date(window.end).toISOString() },
      ...(method === "locker"
        ? {
            siteId: sites.building,
            residentEmail: DEMO_ACCOUNTS.resident.email,
            size: { lengthCm: 30, widthCm: 20, heightCm: 6 },
            weightG: 700,
          }
        : { siteId: sites.home, size: { lengthCm: 30, widthCm: 20, heightCm: 15 }, weightG: 1200 }),
    };
    const shipment = unwrap(await carrier.POST("/v1/shipments", { body }));
    unwrap(
      await carrier.POST("/v1/shipments/{id}/assign", {
        params: { path: { id: shipment.id } },
        body: { courierId: courier.id },
      }),
    );
    made[role] = { id: shipment.id, trackingNumber: shipment.trackingNumber };
  }
  return made as DemoShipmentRefs;
}

import { GarageOpenerAgent, LockAgent } from "@threshold/devices";
import type { ServerHandle } from "../server.js";
import { pairAgent, type TestHome } from "./home.js";
import { until, untilDeviceOnline } from "./wait.js";

/** Door travel of 2 simulated seconds at 25 ms each: 50 ms, so tests never sleep for real doors. */
const FAST = { msPerSecond: 25, travelS: 2 };

/** Gives the home's access point `accessPointId` consent for `method` every day, all day. */
async function consentTo(server: ServerHandle, home: TestHome, accessPointId: string, method: string) {
  await server.ctx.db
    .insertInto("consents")
    .values({
      access_point_id: accessPointId,
      site_id: home.siteId,
      methods: JSON.stringify([method]),
      days: JSON.stringify([1, 2, 3, 4, 5, 6, 7]),
      from_minute: 0,
      to_minute: 1440,
      timezone: "Europe/Amsterdam",
      notes: "",
      updated_at: server.ctx.clock.now(),
    })
    .execute();
}

/**
 * A garage at the test home: a real garage opener agent paired through the pairing API, a garage
 * access point witnessed by the home's camera, and in_garage consent every day all day.
 */
export async function addGarage(
  server: ServerHandle,
  home: TestHome,
  options: { autoCloseS?: number } = {},
): Promise<{ garage: GarageOpenerAgent; accessPointId: string; stop(): Promise<void> }> {
  const identity = await pairAgent(server, home.request, home.recipient, home.siteId, "garage_opener", "Garage");
  const garage = new GarageOpenerAgent({
    identity,
    brokerUrl: server.ctx.mqttUrl,
    clock: server.ctx.clock,
    heartbeatMs: 60_000,
    reconnectPeriodMs: 200,
    log: () => {},
    ...FAST,
    ...(options.autoCloseS !== undefined ? { autoCloseS: options.autoCloseS } : {}),
  });
  await garage.start();
  await untilDeviceOnline(server, identity.deviceId, true);
  const created = await home.request("POST", `/v1/sites/${home.siteId}/access-points`, {
    cookie: home.recipient.cookie,
    body: {
      kind: "garage",
      name: "Garage",
      actuatorDeviceId: identity.deviceId,
      cameraDeviceIds: [home.camera.deviceId],
    },
  });
  if (created.status !== 201) throw new Error(`garage not created: ${JSON.stringify(created.body)}`);
  const accessPointId = created.body.id as string;
  await consentTo(server, home, accessPointId, "in_garage");
  return { garage, accessPointId, stop: () => garage.stop() };
}

/**
 * A fridge at the test home: a lock agent with a temperature sensor, a fridge access point (behind
 * the front door when `behindFrontDoor`, else witnessed by the home's camera on its own) and
 * in_fridge consent every day all day.
 */
export async function addFridge(
  server: ServerHandle,
  home: TestHome,
  options: { behindFrontDoor?: boolean; temperatureC?: number } = {},
): Promise<{ fridge: LockAgent; accessPointId: string; stop(): Promise<void> }> {
  const identity = await pairAgent(server, home.request, home.recipient, home.siteId, "lock", "Fridge lock");
  const fridge = new LockAgent({
    identity,
    brokerUrl: server.ctx.mqttUrl,
    clock: server.ctx.clock,
    heartbeatMs: 60_000,
    reconnectPeriodMs: 200,
    log: () => {},
    temperatureC: options.temperatureC ?? 4,
  });
  await fridge.start();
  await untilDeviceOnline(server, identity.deviceId, true);
  const created = await home.request("POST", `/v1/sites/${home.siteId}/access-points`, {
    cookie: home.recipient.cookie,
    body: {
      kind: "fridge",
      name: "Kitchen fridge",
      actuatorDeviceId: identity.deviceId,
      ...(options.behindFrontDoor
        ? { viaAccessPointId: home.accessPointId }
        : { cameraDeviceIds: [home.camera.deviceId] }),
    },
  });
  if (created.status !== 201) throw new Error(`fridge not created: ${JSON.stringify(created.body)}`);
  const accessPointId = created.body.id as string;
  await consentTo(server, home, accessPointId, "in_fridge");
  return { fridge, accessPointId, stop: () => fridge.stop() };
}

/** Waits until the server has stored a report from `deviceId` matching `predicate`. */
export function reported(
  server: ServerHandle,
  deviceId: string,
  predicate: (state: Record<string, unknown>) => boolean,
): Promise<void> {
  return until(async () => {
    const row = await server.ctx.db
      .selectFrom("devices")
      .select("reported_state")
      .where("id", "=", deviceId)
      .executeTakeFirstOrThrow();
    return row.reported_state !== null && predicate(JSON.parse(row.reported_state) as Record<string, unknown>);
  });
}

import fs from "node:fs";
import path from "node:path";
import { type FleetDevice, LockAgent, LockerControllerAgent, type RunningFleet, runFleet } from "@threshold/devices";
import { signIn, type ThresholdClient, unwrap } from "@threshold/sdk";
import { loadConfig, type ServerHandle, startServer } from "@threshold/server";
import { type CameraVideo, cameraVideo, cameraVideoLine } from "../camera-video.js";
import { DEMO_ACCOUNTS, DEMO_PASSWORD, ensureDemoAccounts } from "./accounts.js";
import { bannerText } from "./banner.js";
import { type DemoShipmentRefs, ensureDemoShipments } from "./shipments.js";

const DEMO_CAR_POSITION = { lat: 52.374, lng: 4.8922 };

const DEMO_FLEET: (FleetDevice & { displayName: string })[] = [
  { name: "front-door-lock", kind: "lock", displayName: "Front door lock" },
  { name: "porch-camera", kind: "camera", displayName: "Porch camera" },
  { name: "lobby-lockers", kind: "locker_controller", compartments: 12, displayName: "Lobby lockers" },
  // Alex's car, parked about 100 m up the street (docs/in-car-delivery.md); `threshold car` moves it.
  { name: "family-car", kind: "vehicle", position: DEMO_CAR_POSITION, displayName: "Family car" },
];

/** What the demo keeps between runs (the API key is shown once by the API, so the demo remembers it). */
interface DemoState {
  apiKey: string;
  /** The shipments seeded on the first start; every later start shows the same ones. */
  shipments?: DemoShipmentRefs;
}

/** A demo that runs in this process: its server, the banner to print, and how to stop both. */
export interface RunningDemo {
  server: ServerHandle;
  banner: string;
  shipments: DemoShipmentRefs;
  stop(): Promise<void>;
}

/**
 * Starts the server and the demo fleet with `env` as its configuration, seeding the demo on the
 * first start only. Exported for the tests, which start it twice on one data directory.
 */
export async function startDemo(
  env: NodeJS.ProcessEnv,
  options: { log?: (line: string) => void; onStop?: (stop: () => Promise<void>) => void } = {},
): Promise<RunningDemo> {
  const log = options.log ?? ((line: string) => console.log(line));
  // The banner is what a person reads; request logs would bury it. LOG_LEVEL still wins.
  const video = cameraVideo(env);
  const config = loadConfig({
    LOG_LEVEL: "warn",
    ...env,
    ...(video.ffmpeg ? { FFMPEG_PATH: video.path } : {}),
  });
  log("Starting Threshold (demo)…");
  log(`Camera video: ${cameraVideoLine(video)}`);
  let fleet: RunningFleet | undefined;
  const server = await startServer(config, {
    demo: { password: DEMO_PASSWORD, accounts: Object.values(DEMO_ACCOUNTS) },
    // The web app's demo keypad types on the fleet's own locks, in this process.
    demoKeypad: async (deviceId, code) => {
      const lock = [...(fleet?.agents.values() ?? [])].find(
        (agent): agent is LockAgent => agent instanceof LockAgent && agent.deviceId === deviceId,
      );
      if (!lock) return null;
      const verdict = await lock.enterCode(code);
      return verdict.result === "opened" ? { result: "opened" } : verdict;
    },
    // Hands at the demo's locker bank: put a parcel in, take it out, close the door.
    demoLocker: async (deviceId, compartment, action) => {
      const locker = [...(fleet?.agents.values() ?? [])].find(
        (agent): agent is LockerControllerAgent =>
          agent instanceof LockerControllerAgent && agent.deviceId === deviceId,
      );
      if (!locker) return false;
      try {
        if (action === "put") locker.putParcel(compartment);
        else if (action === "take") locker.takeParcel(compartment);
        else locker.closeDoor(compartment);
        return true;
      } catch {
        return false;
      }
    },
  });
  const stop = async () => {
    await fleet?.stop();
    await server.close();
  };
  options.onStop?.(stop);
  try {
    const seeded = await seedDemo(server, config.dataDir, video, log, (started) => {
      fleet = started;
    });
    return { server, stop, ...seeded };
  } catch (error) {
    // A start that fails half-way stops what it started: the camera's ffmpeg is a child
    // process, and it would outlive us otherwise.
    await stop().catch(() => undefined);
    throw error;
  }
}

/** Seeds the demo, pairs its fleet through the real flow, finds or makes its shipments; answers the banner. */
async function seedDemo(
  server: ServerHandle,
  dataDir: string,
  video: CameraVideo,
  log: (line: string) => void,
  onFleet: (fleet: RunningFleet) => void,
): Promise<{ banner: string; shipments: DemoShipmentRefs }> {
  const fleetDir = path.join(dataDir, "fleet");
  if (await ensureDemoAccounts(server)) {
    // A new database: identities of an older demo would be refused by the broker, and its API key
    // and shipments are not in it.
    fs.rmSync(fleetDir, { recursive: true, force: true });
    fs.rmSync(path.join(dataDir, "demo.json"), { force: true });
    log("Seeded demo accounts.");
  }
  const recipient = (await signIn(server.url, DEMO_ACCOUNTS.recipient.email, DEMO_PASSWORD)).client;
  const siteId = await ensureHome(recipient);
  const manager = (await signIn(server.url, DEMO_ACCOUNTS.manager.email, DEMO_PASSWORD)).client;
  const buildingId = await ensureBuilding(manager);

  const fleet = await runFleet({
    serverUrl: server.url,
    stateDir: fleetDir,
    devices: DEMO_FLEET.map(({ displayName: _, ...device }) => device),
    // Without an ffmpeg the camera could only fail at every start; the banner says why instead.
    video: video.ffmpeg ? "ffmpeg" : "none",
    claim: async (code, device) => {
      const name = DEMO_FLEET.find((d) => d.name === device.name)?.displayName ?? device.name;
      // The locker bank belongs to the building's manager; the rest to Alex's home.
      const [owner, target] = device.kind === "locker_controller" ? [manager, buildingId] : [recipient, siteId];
      unwrap(
        await owner.POST("/v1/sites/{siteId}/devices", {
          params: { path: { siteId: target } },
          body: { pairingCode: code, name },
        }),
      );
    },
    log: (line) => log(`  device: ${line}`),
  });
  onFleet(fleet);
  const lock = fleet.agents.get("front-door-lock");
  const camera = fleet.agents.get("porch-camera");
  const car = fleet.agents.get("family-car");
  if (!lock || !camera || !car) throw new Error("the demo fleet did not start");
  const accessPointId = await ensureFrontDoor(recipient, siteId, lock.deviceId, camera.deviceId);
  await ensureConsent(recipient, accessPointId);
  await ensureCar(recipient, siteId, car.deviceId);
  await waitOnline(recipient, [lock.deviceId, camera.deviceId, car.deviceId]);

  const lockers = fleet.agents.get("lobby-lockers");
  if (!lockers) throw new Error("the demo locker bank did not start");
  await waitOnline(manager, [lockers.deviceId]);
  const bankId = await ensureLockerBank(manager, buildingId, lockers.deviceId);

  const state = await ensureDemoState(dataDir, server.url);
  const { shipments, created, moved } = await ensureDemoShipments(
    server,
    state.apiKey,
    { home: siteId, building: buildingId },
    state.shipments,
  );
  if (created) saveDemoState(dataDir, { ...state, shipments });
  if (moved > 0) log(`Moved the windows of ${moved} demo shipment${moved === 1 ? "" : "s"} to today.`);
  const banner = bannerText({
    bankId,
    lockerParcel: shipments.locker.trackingNumber,
    url: server.url,
    mqttUrl: server.ctx.mqttUrl,
    apiKey: state.apiKey,
    dataDir,
    siteId,
    shipments: {
      ready: shipments.ready.trackingNumber,
      later: shipments.later.trackingNumber,
      trunk: shipments.trunk.trackingNumber,
    },
    video,
  });
  return { banner, shipments };
}

async function ensureHome(recipient: ThresholdClient): Promise<string> {
  const sites = unwrap(await recipient.GET("/v1/sites"));
  const existing = sites.sites[0];
  if (existing) return existing.id;
  const created = unwrap(
    await recipient.POST("/v1/sites", {
      body: {
        name: "Alex's home",
        address: { line1: "12 Canal Street", city: "Amsterdam", postalCode: "1012 AB", country: "NL" },
        location: { lat: 52.3731, lng: 4.8922 },
        geofenceRadiusM: 150,
      },
    }),
  );
  return created.id;
}

/** Canal House, the demo's apartment building, managed by Morgan; Jo lives there. */
async function ensureBuilding(manager: ThresholdClient): Promise<string> {
  const sites = unwrap(await manager.GET("/v1/sites"));
  const existing = sites.sites[0];
  if (existing) return existing.id;
  return unwrap(
    await manager.POST("/v1/sites", {
      body: {
        name: "Canal House",
        address: { line1: "1 Canal Street", city: "Amsterdam", postalCode: "1017 AB", country: "NL" },
        location: { lat: 52.3601, lng: 4.8852 },
        geofenceRadiusM: 100,
      },
    }),
  ).id;
}

/** The lobby's bank of 12 compartments (InPost-like sizes, one chilled, two accessible), and Jo as a resident. */
async function ensureLockerBank(manager: ThresholdClient, siteId: string, controllerDeviceId: string): Promise<string> {
  const banks = unwrap(await manager.GET("/v1/lockers/banks", { params: { query: { siteId } } })).banks;
  const bankId =
    banks[0]?.id ??
    unwrap(
      await manager.POST("/v1/lockers/banks", {
        body: {
          siteId,
          name: "Canal House lobby lockers",
          controllerDeviceId,
          packageRoom: "Basement, room B1 (ask the concierge)",
          compartments: Array.from({ length: 12 }, (_, i) => {
            const size =
              i < 4
                ? { widthCm: 38, heightCm: 8, depthCm: 64, sizeClass: "S" as const }
                : i < 9
                  ? { widthCm: 38, heightCm: 19, depthCm: 64, sizeClass: "M" as const }
                  : { widthCm: 38, heightCm: 41, depthCm: 64, sizeClass: "L" as const };
            return {
              number: i + 1,
              ...size,
              temperature: i === 8 ? ("chilled" as const) : ("ambient" as const),
              accessible: i === 3 || i === 7,
            };
          }),
        },
      }),
    ).id;
  unwrap(
    await manager.POST("/v1/lockers/banks/{id}/residents", {
      params: { path: { id: bankId } },
      body: { email: DEMO_ACCOUNTS.resident.email, unit: "3B" },
    }),
  );
  return bankId;
}

async function ensureFrontDoor(
  recipient: ThresholdClient,
  siteId: string,
  lockId: string,
  cameraId: string,
): Promise<string> {
  const points = unwrap(await recipient.GET("/v1/sites/{siteId}/access-points", { params: { path: { siteId } } }));
  const existing = points.accessPoints.find((p) => p.kind === "front_door");
  if (existing) return existing.id;
  const created = unwrap(
    await recipient.POST("/v1/sites/{siteId}/access-points", {
      params: { path: { siteId } },
      body: { kind: "front_door", name: "Front door", actuatorDeviceId: lockId, cameraDeviceIds: [cameraId] },
    }),
  );
  return created.id;
}

/**
 * Alex's car: registered, paired with its vehicle device (its trunk becomes an access point, not
 * filmed: the demo car has no camera) and opted in to trunk delivery, with a backup address.
 */
async function ensureCar(recipient: ThresholdClient, siteId: string, vehicleId: string): Promise<void> {
  const { cars } = unwrap(await recipient.GET("/v1/cars"));
  const existing = cars.find((car) => car.deviceId === vehicleId) ?? cars[0];
  const car =
    existing ??
    unwrap(
      await recipient.POST("/v1/cars", {
        body: {
          siteId,
          make: "Volvo",
          model: "XC40",
          colour: "dark blue",
          plate: "GH-123-K",
          fallback: "backup_address",
          fallbackNote: "14 Canal Street (the neighbours, Mira and Jon)",
        },
      }),
    );
  if (!car.deviceId) {
    unwrap(
      await recipient.POST("/v1/cars/{id}/pair", { params: { path: { id: car.id } }, body: { deviceId: vehicleId } }),
    );
  }
  if (!car.trunkDelivery) {
    unwrap(await recipient.PATCH("/v1/cars/{id}", { params: { path: { id: car.id } }, body: { trunkDelivery: true } }));
  }
}

/** Alex allows in-home delivery at the front door at any hour, so the demo works whenever it runs. */
async function ensureConsent(recipient: ThresholdClient, accessPointId: string): Promise<void> {
  unwrap(
    await recipient.PUT("/v1/access-points/{id}/consent", {
      params: { path: { id: accessPointId } },
      body: {
        methods: ["in_home"],
        days: [1, 2, 3, 4, 5, 6, 7],
        from: "00:00",
        to: "24:00",
        timezone: "Europe/Amsterdam",
        notes: "Please close the door behind you; the cat stays inside.",
      },
    }),
  );
}

/** The devices report in within a moment of connecting; the demo says so only once the API sees it. */
async function waitOnline(recipient: ThresholdClient, deviceIds: string[]): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const devices = await Promise.all(
      deviceIds.map(async (deviceId) =>
        unwrap(await recipient.GET("/v1/devices/{deviceId}", { params: { path: { deviceId } } })),
      ),
    );
    if (devices.every((d) => d.online)) return;
    if (Date.now() > deadline)
      throw new Error(
        `devices not online: ${devices
          .filter((d) => !d.online)
          .map((d) => d.name)
          .join(", ")}`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function ensureDemoState(dataDir: string, url: string): Promise<DemoState> {
  const file = path.join(dataDir, "demo.json");
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, "utf8")) as DemoState;
  const admin = (await signIn(url, DEMO_ACCOUNTS.carrierAdmin.email, DEMO_PASSWORD)).client;
  const created = unwrap(
    await admin.POST("/v1/api-keys", {
      body: {
        name: "Demo integration",
        scopes: ["shipments:read", "shipments:write", "couriers:read", "webhooks:manage"],
      },
    }),
  );
  const state: DemoState = { apiKey: created.key };
  saveDemoState(dataDir, state);
  return state;
}

function saveDemoState(dataDir: string, state: DemoState): void {
  fs.writeFileSync(path.join(dataDir, "demo.json"), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

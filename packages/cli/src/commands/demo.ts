import fs from "node:fs";
import path from "node:path";
import type { FleetDevice, LockAgent, LockerControllerAgent, RunningFleet } from "@threshold/devices";
import { createThresholdClient, type paths, signIn, type ThresholdClient, unwrap } from "@threshold/sdk";
import type { ServerHandle } from "@threshold/server";
import type { Command } from "commander";
import { DEMO_ACCOUNTS, DEMO_PASSWORD, ensureDemoAccounts } from "../demo/accounts.js";
import { printBanner } from "../demo/banner.js";
import { onShutdown } from "../run.js";

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
}

export function registerDemoCommand(program: Command): void {
  program
    .command("demo")
    .description(
      "Run everything on this machine with demo data: migrate, seed accounts and a home, start the server and a simulated lock and camera (paired through the real flow), and print the logins. This is what `npm start` runs.",
    )
    .action(async () => {
      const { loadConfig, startServer } = await import("@threshold/server");
      const devices = await import("@threshold/devices");
      // The banner is what a person reads; request logs would bury it. LOG_LEVEL still wins.
      const config = loadConfig({ LOG_LEVEL: "warn", ...process.env });
      console.log("Starting Threshold (demo)…");
      let fleet: RunningFleet | undefined;
      const server = await startServer(config, {
        demo: { password: DEMO_PASSWORD, accounts: Object.values(DEMO_ACCOUNTS) },
        // The web app's demo keypad types on the fleet's own locks, in this process.
        demoKeypad: async (deviceId, code) => {
          const lock = [...(fleet?.agents.values() ?? [])].find(
            (agent): agent is LockAgent => agent instanceof devices.LockAgent && agent.deviceId === deviceId,
          );
          if (!lock) return null;
          const verdict = await lock.enterCode(code);
          return verdict.result === "opened" ? { result: "opened" } : verdict;
        },
        // Hands at the demo's locker bank: put a parcel in, take it out, close the door.
        demoLocker: async (deviceId, compartment, action) => {
          const locker = [...(fleet?.agents.values() ?? [])].find(
            (agent): agent is LockerControllerAgent =>
              agent instanceof devices.LockerControllerAgent && agent.deviceId === deviceId,
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
      onShutdown(stop);
      try {
        await startDemo(server, config.dataDir, (started) => {
          fleet = started;
        });
      } catch (error) {
        // A start that fails half-way stops what it started: the camera's ffmpeg is a child
        // process, and it would outlive us otherwise.
        await stop().catch(() => undefined);
        throw error;
      }
    });
}

/** Seeds the demo, pairs its fleet through the real flow, makes today's shipments and prints the banner. */
async function startDemo(server: ServerHandle, dataDir: string, onFleet: (fleet: RunningFleet) => void): Promise<void> {
  const fleetDir = path.join(dataDir, "fleet");
  if (await ensureDemoAccounts(server)) {
    // A new database: identities of an older demo would be refused by the broker.
    fs.rmSync(fleetDir, { recursive: true, force: true });
    console.log("Seeded demo accounts.");
  }
  const recipient = (await signIn(server.url, DEMO_ACCOUNTS.recipient.email, DEMO_PASSWORD)).client;
  const siteId = await ensureHome(recipient);
  const manager = (await signIn(server.url, DEMO_ACCOUNTS.manager.email, DEMO_PASSWORD)).client;
  const buildingId = await ensureBuilding(manager);

  const { runFleet } = await import("@threshold/devices");
  const fleet = await runFleet({
    serverUrl: server.url,
    stateDir: fleetDir,
    devices: DEMO_FLEET.map(({ displayName: _, ...device }) => device),
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
    log: (line) => console.log(`  device: ${line}`),
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
  const ship = await demoShipper(server, state.apiKey);
  const shipments = await createDemoShipments(ship, siteId);
  const lockerParcel = await createDemoLockerShipment(ship, buildingId);
  printBanner({
    bankId,
    lockerParcel,
    url: server.url,
    mqttUrl: server.ctx.mqttUrl,
    apiKey: state.apiKey,
    dataDir,
    siteId,
    shipments,
  });
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

type ShipmentBody = NonNullable<paths["/v1/shipments"]["post"]["requestBody"]>["content"]["application/json"];

/** Creates a shipment as the demo carrier, assigned to Sam; answers its tracking number. */
type DemoShipper = (suffix: string, body: Omit<ShipmentBody, "trackingNumber">) => Promise<string>;

async function demoShipper(server: ServerHandle, apiKey: string): Promise<DemoShipper> {
  const carrier = createThresholdClient({ baseUrl: server.url, apiKey });
  const courier = await server.ctx.db
    .selectFrom("users")
    .select("id")
    .where("email", "=", DEMO_ACCOUNTS.courier.email)
    .executeTakeFirstOrThrow();
  // To the second: a restart within the same minute must not collide with the last run's numbers.
  const stamp = new Date().toISOString().slice(5, 19).replace(/[-T:]/g, "");
  return async (suffix, body) => {
    const trackingNumber = `DEMO-${stamp}-${suffix}`;
    const shipment = unwrap(await carrier.POST("/v1/shipments", { body: { ...body, trackingNumber } }));
    unwrap(
      await carrier.POST("/v1/shipments/{id}/assign", {
        params: { path: { id: shipment.id } },
        body: { courierId: courier.id },
      }),
    );
    return trackingNumber;
  };
}

/** A locker shipment for Jo, assigned to Sam, so a drop-off can be tried at once. */
async function createDemoLockerShipment(ship: DemoShipper, buildingId: string): Promise<string> {
  const now = Date.now();
  return ship("L", {
    siteId: buildingId,
    method: "locker",
    residentEmail: DEMO_ACCOUNTS.resident.email,
    window: { start: new Date(now - 3_600_000).toISOString(), end: new Date(now + 8 * 3_600_000).toISOString() },
    size: { lengthCm: 30, widthCm: 20, heightCm: 6 },
    weightG: 700,
  });
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

/**
 * Each demo run gets three fresh shipments for Sam, made through the carrier API with the demo key:
 * one inside its window (it opens), one whose window starts later (it shows a refusal), and one to
 * Alex's car's trunk.
 */
async function createDemoShipments(
  ship: DemoShipper,
  siteId: string,
): Promise<{ ready: string; later: string; trunk: string }> {
  const hour = 3_600_000;
  const now = Date.now();
  const make = (suffix: string, start: number, end: number, method: "in_home" | "in_trunk" = "in_home") =>
    ship(suffix, {
      siteId,
      method,
      window: { start: new Date(start).toISOString(), end: new Date(end).toISOString() },
      size: { lengthCm: 30, widthCm: 20, heightCm: 15 },
      weightG: 1200,
    });
  return {
    ready: await make("A", now - hour, now + 4 * hour),
    later: await make("B", now + 3 * hour, now + 7 * hour),
    trunk: await make("C", now - hour, now + 4 * hour, "in_trunk"),
  };
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
  fs.writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  return state;
}

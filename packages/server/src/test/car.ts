import { SimulatedCar, VehicleAgent } from "@threshold/devices";
import type { ServerHandle } from "../server.js";
import { reported } from "./garage-and-fridge.js";
import { HOME, pairAgent, type TestHome } from "./home.js";
import { untilDeviceOnline } from "./wait.js";

/** About `m` metres north of the test home (one degree of latitude is about 111.2 km). */
export function northOfHome(m: number): { lat: number; lng: number } {
  return { lat: HOME.lat + m / 111_195, lng: HOME.lng };
}

/** Where the test car parks: 100 m north of the home, inside the default 300 m. */
export const CAR_PARKED = northOfHome(100);
/** About 10 m from the parked car: where a courier stands to scan. */
export const BESIDE_THE_CAR = northOfHome(110);
/** A parcel well inside Amazon's limits. */
export const SMALL_PARCEL = { lengthCm: 40, widthCm: 30, heightCm: 20, weightG: 3_000, valueCents: 5_000 };

export interface TestCar {
  carId: string;
  accessPointId: string;
  agent: VehicleAgent;
  car: SimulatedCar;
  stop(): Promise<void>;
}

/**
 * The test home's car: a real vehicle agent (a simulated car behind the car-maker adapter) paired
 * through the pairing API, registered and paired through the cars API, opted in to trunk delivery.
 * With `filmed`, the home's camera witnesses the trunk (standing in for a car's own camera).
 */
export async function addCar(
  server: ServerHandle,
  home: TestHome,
  options: { filmed?: boolean; positionSharing?: "delivery_window" | "near_address" } = {},
): Promise<TestCar> {
  const identity = await pairAgent(server, home.request, home.recipient, home.siteId, "vehicle", "Car");
  const car = new SimulatedCar({ position: { ...CAR_PARKED, accuracyM: 5 } });
  const agent = new VehicleAgent({
    identity,
    car,
    brokerUrl: server.ctx.mqttUrl,
    clock: server.ctx.clock,
    heartbeatMs: 60_000,
    reconnectPeriodMs: 200,
    log: () => {},
  });
  await agent.start();
  await reported(server, identity.deviceId, (state) => state.drive === "parked");
  const as = { cookie: home.recipient.cookie };
  const created = await home.request("POST", "/v1/cars", {
    ...as,
    body: {
      siteId: home.siteId,
      make: "Volvo",
      model: "XC40",
      colour: "dark blue",
      plate: "gh-123-k",
      fallback: "backup_address",
      fallbackNote: "14 Canal Street, the neighbours",
      ...(options.positionSharing ? { positionSharing: options.positionSharing } : {}),
    },
  });
  if (created.status !== 201) throw new Error(`car not created: ${JSON.stringify(created.body)}`);
  const carId = created.body.id as string;
  const paired = await home.request("POST", `/v1/cars/${carId}/pair`, {
    ...as,
    body: { deviceId: identity.deviceId, ...(options.filmed ? { cameraDeviceIds: [home.camera.deviceId] } : {}) },
  });
  if (paired.status !== 200) throw new Error(`car not paired: ${JSON.stringify(paired.body)}`);
  const optedIn = await home.request("PATCH", `/v1/cars/${carId}`, { ...as, body: { trunkDelivery: true } });
  if (optedIn.status !== 200) throw new Error(`trunk delivery not on: ${JSON.stringify(optedIn.body)}`);
  await untilDeviceOnline(server, identity.deviceId, true);
  return { carId, accessPointId: paired.body.accessPointId as string, agent, car, stop: () => agent.stop() };
}

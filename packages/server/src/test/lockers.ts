import { newId } from "@threshold/core";
import { LockerControllerAgent } from "@threshold/devices";
import type { ServerHandle } from "../server.js";
import { type SignedInUser, signInAs } from "./fixtures.js";
import { pairAgent } from "./home.js";
import { type ApiRequest, apiClient } from "./http.js";
import { untilDeviceOnline } from "./wait.js";

export const BUILDING = { lat: 52.3601, lng: 4.8852 };
/** About 20 m from BUILDING. */
export const AT_THE_LOCKER = { lat: 52.36025, lng: 4.8853 };

/** InPost's A/B/C compartments: 8×38×64, 19×38×64 and 41×38×64 cm. */
export const INPOST = {
  A: { widthCm: 38, heightCm: 8, depthCm: 64, sizeClass: "S" },
  B: { widthCm: 38, heightCm: 19, depthCm: 64, sizeClass: "M" },
  C: { widthCm: 38, heightCm: 41, depthCm: 64, sizeClass: "L" },
} as const;

export interface CompartmentInput {
  number: number;
  widthCm: number;
  heightCm: number;
  depthCm: number;
  sizeClass: string;
  temperature?: "ambient" | "chilled" | "frozen";
  accessible?: boolean;
}

export interface TestBuilding {
  request: ApiRequest;
  manager: SignedInUser;
  resident: SignedInUser;
  courier: SignedInUser;
  carrierId: string;
  siteId: string;
  bankId: string;
  controller: LockerControllerAgent;
  /** A locker shipment to `resident` (default: the building's resident), assigned to the building's courier. */
  shipment(options?: {
    size?: [number, number, number];
    resident?: SignedInUser;
    temperature?: "ambient" | "chilled" | "frozen";
    courierId?: string;
  }): Promise<{ id: string; trackingNumber: string }>;
  /** Another recipient registered as a resident of this building. */
  addResident(options?: { accessible?: boolean }): Promise<SignedInUser>;
  stop(): Promise<void>;
}

/**
 * A building as the locker flows need it: a manager's site, a real locker controller agent paired
 * through the real pairing API and connected to the real broker, a bank of `compartments` set up
 * through the API, a registered resident, and a carrier with a courier.
 */
export async function createBuilding(
  server: ServerHandle,
  options: {
    compartments: CompartmentInput[];
    location?: { lat: number; lng: number };
    name?: string;
    courier?: SignedInUser;
    bank?: Record<string, unknown>;
    dataDir?: string;
  },
): Promise<TestBuilding> {
  const request = apiClient(server.url);
  const manager = await signInAs(server, "manager");
  const courier = options.courier ?? (await signInAs(server, "courier"));
  const carrierId = courier.carrierId as string;
  const site = await request("POST", "/v1/sites", {
    cookie: manager.cookie,
    body: {
      name: options.name ?? "Canal House",
      address: { line1: "1 Canal Street", city: "Amsterdam", postalCode: "1017 AB", country: "NL" },
      location: options.location ?? BUILDING,
      geofenceRadiusM: 100,
    },
  });
  if (site.status !== 201) throw new Error(`site not created: ${JSON.stringify(site.body)}`);
  const siteId = site.body.id as string;
  const identity = await pairAgent(server, request, manager, siteId, "locker_controller", "Lobby lockers");
  const maxNumber = Math.max(...options.compartments.map((c) => c.number));
  const controller = new LockerControllerAgent({
    identity,
    brokerUrl: server.ctx.mqttUrl,
    clock: server.ctx.clock,
    heartbeatMs: 60_000,
    reconnectPeriodMs: 100,
    compartments: maxNumber,
    log: () => {},
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  });
  await controller.start();
  await untilDeviceOnline(server, identity.deviceId, true);
  const bank = await request("POST", "/v1/lockers/banks", {
    cookie: manager.cookie,
    body: {
      siteId,
      name: options.name ?? "Lobby lockers",
      controllerDeviceId: identity.deviceId,
      compartments: options.compartments,
      packageRoom: "Basement, room B1",
      ...options.bank,
    },
  });
  if (bank.status !== 201) throw new Error(`bank not created: ${JSON.stringify(bank.body)}`);
  const bankId = bank.body.id as string;

  const addResident = async (o: { accessible?: boolean } = {}) => {
    const resident = await signInAs(server, "recipient");
    const added = await request("POST", `/v1/lockers/banks/${bankId}/residents`, {
      cookie: manager.cookie,
      body: {
        email: resident.email,
        unit: `${Math.floor(Math.random() * 900) + 100}`,
        accessible: o.accessible ?? false,
      },
    });
    if (added.status !== 200) throw new Error(`resident not added: ${JSON.stringify(added.body)}`);
    return resident;
  };
  const resident = await addResident();

  return {
    request,
    manager,
    resident,
    courier,
    carrierId,
    siteId,
    bankId,
    controller,
    addResident,
    async shipment(o = {}) {
      const now = server.ctx.clock.now();
      const id = newId("shipment", now);
      const trackingNumber = `LK${id.slice(-10).toUpperCase()}`;
      const [l, w, h] = o.size ?? [30, 20, 5];
      await server.ctx.db
        .insertInto("shipments")
        .values({
          id,
          tracking_number: trackingNumber,
          carrier_id: carrierId,
          recipient_id: (o.resident ?? resident).id,
          site_id: siteId,
          method: "locker",
          window_start: now - 3600_000,
          window_end: now + 6 * 3600_000,
          length_cm: l,
          width_cm: w,
          height_cm: h,
          weight_g: 500,
          perishable: 0,
          signature_required: 0,
          value_cents: null,
          status: "assigned",
          courier_id: o.courierId ?? courier.id,
          delivered_at: null,
          delivered_visit_id: null,
          created_at: now,
          updated_at: now,
          locker_temperature: o.temperature ?? "ambient",
        })
        .execute();
      return { id, trackingNumber };
    },
    stop: () => controller.stop(),
  };
}

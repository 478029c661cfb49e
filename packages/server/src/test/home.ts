import { newId } from "@threshold/core";
import {
  CameraAgent,
  type DeviceIdentity,
  LockAgent,
  pairDevice,
  SyntheticVideoSource,
  type VideoSource,
} from "@threshold/devices";
import type { ServerHandle } from "../server.js";
import { type SignedInUser, signInAs } from "./fixtures.js";
import { type ApiRequest, apiClient } from "./http.js";

export const HOME = { lat: 52.3731, lng: 4.8922 };
/** About 25 m from HOME: inside a 150 m geofence. */
export const AT_THE_DOOR = { lat: 52.37325, lng: 4.8924 };

export interface TestHome {
  request: ApiRequest;
  recipient: SignedInUser;
  courier: SignedInUser;
  siteId: string;
  accessPointId: string;
  lock: LockAgent;
  camera: CameraAgent;
  carrierId: string;
  /** Creates a shipment to this home, assigned to `courier` (default: the home's courier). */
  shipment(options?: {
    courierId?: string;
    windowStart?: number;
    windowEnd?: number;
    method?: string;
    perishable?: boolean;
    /** `return`: a parcel the recipient left in the trunk for the courier to collect. */
    direction?: "delivery" | "return";
    /** The parcel's size (cm), weight (g) and declared value (cents); unset by default. */
    parcel?: { lengthCm: number; widthCm: number; heightCm: number; weightG: number; valueCents?: number };
  }): Promise<{ id: string; trackingNumber: string }>;
  stop(): Promise<void>;
}

/** Chained synthetic segments on the server's clock, uploaded as a real camera's are. */
export function syntheticVideo(server: ServerHandle): (deviceId: string) => VideoSource {
  return (deviceId) => new SyntheticVideoSource({ deviceId, now: () => server.ctx.clock.now() });
}

export async function pairAgent(
  server: ServerHandle,
  request: ApiRequest,
  owner: SignedInUser,
  siteId: string,
  kind: "lock" | "camera" | "garage_opener" | "locker_controller" | "vehicle",
  name: string,
): Promise<DeviceIdentity> {
  return pairDevice({
    serverUrl: server.url,
    kind,
    name,
    model: `test-${kind}`,
    firmware: "1.0.0",
    onCode: (code) => {
      void request("POST", `/v1/sites/${siteId}/devices`, {
        cookie: owner.cookie,
        body: { pairingCode: code, name },
      }).then((res) => {
        if (res.status !== 201) throw new Error(`claim failed: ${res.status} ${JSON.stringify(res.body)}`);
      });
    },
  });
}

/**
 * A recipient's home as the in-home flow needs it: a site, a real lock agent and camera agent
 * paired through the real pairing API and connected to the real broker, a front door with
 * in-home consent every day all day, and a carrier with a courier. The camera uploads its video
 * through the real upload route, so the door opens only while that video is fresh; by default the
 * video is SyntheticVideoSource on the server's clock (the video tests run real ffmpeg).
 */
export async function createHome(
  server: ServerHandle,
  options: {
    /** The camera's video, given its device id; SyntheticVideoSource on the server's clock by default. */
    video?: (deviceId: string) => VideoSource;
    /** Return before the camera's first segment is stored; for a camera that sends none. Default false. */
    withoutVideo?: boolean;
    mqttUrl?: string;
  } = {},
): Promise<TestHome> {
  const request = apiClient(server.url);
  const recipient = await signInAs(server, "recipient");
  const courier = await signInAs(server, "courier");
  const carrierId = courier.carrierId as string;
  const site = await request("POST", "/v1/sites", {
    cookie: recipient.cookie,
    body: {
      name: "Home",
      address: { line1: "12 Canal Street", city: "Amsterdam", postalCode: "1012 AB", country: "NL" },
      location: HOME,
      geofenceRadiusM: 150,
    },
  });
  const siteId = site.body.id as string;
  const lockIdentity = await pairAgent(server, request, recipient, siteId, "lock", "Front door lock");
  const cameraIdentity = await pairAgent(server, request, recipient, siteId, "camera", "Porch camera");
  const brokerUrl = options.mqttUrl ?? server.ctx.mqttUrl;
  // The devices share the server's clock, as NTP makes real ones do: a test that moves it moves theirs.
  const clock = server.ctx.clock;
  const lock = new LockAgent({
    identity: lockIdentity,
    brokerUrl,
    heartbeatMs: 60_000,
    reconnectPeriodMs: 200,
    clock,
  });
  const camera = new CameraAgent({
    identity: cameraIdentity,
    clock,
    brokerUrl,
    heartbeatMs: 60_000,
    reconnectPeriodMs: 200,
    video: (options.video ?? syntheticVideo(server))(cameraIdentity.deviceId),
    upload: { serverUrl: server.url, retryMs: 50, log: () => {} },
  });
  await Promise.all([lock.start(), camera.start()]);
  const door = await request("POST", `/v1/sites/${siteId}/access-points`, {
    cookie: recipient.cookie,
    body: {
      kind: "front_door",
      name: "Front door",
      actuatorDeviceId: lockIdentity.deviceId,
      cameraDeviceIds: [cameraIdentity.deviceId],
    },
  });
  const accessPointId = door.body.id as string;
  await server.ctx.db
    .insertInto("consents")
    .values({
      access_point_id: accessPointId,
      site_id: siteId,
      methods: JSON.stringify(["in_home"]),
      days: JSON.stringify([1, 2, 3, 4, 5, 6, 7]),
      from_minute: 0,
      to_minute: 1440,
      timezone: "Europe/Amsterdam",
      notes: "The cat may greet you.",
      updated_at: server.ctx.clock.now(),
    })
    .execute();
  // The devices' first state reports must have landed before a scan can see them online.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const rows = await server.ctx.db.selectFrom("devices").select("online").where("site_id", "=", siteId).execute();
    const video = await server.ctx.db
      .selectFrom("video_segments")
      .select("id")
      .where("device_id", "=", cameraIdentity.deviceId)
      .limit(1)
      .executeTakeFirst();
    if (rows.length === 2 && rows.every((r) => r.online === 1) && (video || options.withoutVideo)) break;
    if (Date.now() > deadline) throw new Error("devices did not come online, or the camera sent no video");
    await new Promise((r) => setTimeout(r, 20));
  }

  return {
    request,
    recipient,
    courier,
    siteId,
    accessPointId,
    lock,
    camera,
    carrierId,
    async shipment(o = {}) {
      const now = server.ctx.clock.now();
      const id = newId("shipment", now);
      const trackingNumber = `TH${id.slice(-10).toUpperCase()}`;
      await server.ctx.db
        .insertInto("shipments")
        .values({
          id,
          tracking_number: trackingNumber,
          carrier_id: carrierId,
          recipient_id: recipient.id,
          site_id: siteId,
          method: o.method ?? "in_home",
          window_start: o.windowStart ?? now - 3_600_000,
          window_end: o.windowEnd ?? now + 3_600_000,
          status: "assigned",
          perishable: o.perishable ? 1 : 0,
          ...(o.direction ? { direction: o.direction } : {}),
          ...(o.parcel
            ? {
                length_cm: o.parcel.lengthCm,
                width_cm: o.parcel.widthCm,
                height_cm: o.parcel.heightCm,
                weight_g: o.parcel.weightG,
                value_cents: o.parcel.valueCents ?? null,
              }
            : {}),
          signature_required: 0,
          courier_id: o.courierId ?? courier.id,
          created_at: now,
          updated_at: now,
        })
        .execute();
      return { id, trackingNumber };
    },
    async stop() {
      await Promise.all([lock.stop(), camera.stop()]);
    },
  };
}

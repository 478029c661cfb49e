/**
 * The parcel lockers benchmark (bench/bench.ts launches it; `--only=lockers`). Starts the real
 * server on embedded defaults (SQLite, embedded broker) in a temp dir, seeds 100 banks of 100
 * compartments each with a paired controller (devices, sealed pairing secrets, banks, residents,
 * one courier per bank, locker shipments) directly in storage, runs the 101 controllers in a
 * child process (locker-agents.ts) and then, from this process over HTTP and MQTT:
 *
 * 1. baseline: as many bare compartment_open command round trips (signed, published through the
 *    gateway's broker transport, ack awaited) as there are drop-offs, to a controller with no hands;
 * 2. drop-offs: every courier, concurrently, scans its parcels at its bank (POST …/drop-offs): the
 *    compartment is reserved and opens, the hands put the parcel in and shut the door, and the
 *    drop-off counts once the server has the controller's confirmation (parcel in_locker);
 * 3. pickups: every parcel's code typed at its bank's kiosk (POST …/kiosk/code), counted once the
 *    empty, closed compartment confirmed the pickup (picked_up);
 * 4. allocation: reservations alone (read the bank, allocate, compare-and-set, insert, audit), the
 *    drop-off's first step, 32 at a time over all banks: alloc_p99_ms.
 *
 * Then checks that no compartment ever held two residents' parcels and prints, last:
 *
 *   bench lockers dropoffs_per_s=<n> pickups_per_s=<n> alloc_p99_ms=<n> baseline_rtt_p50_ms=<n> double_assignments=<n>
 *
 * Options: --quick (20 banks), --banks=N, --compartments=N, --parcels-per-bank=N.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { lockerPickupCode, newId, randomSecret } from "@threshold/core";
import type { DeviceIdentity } from "@threshold/devices";
import { deviceTopic } from "@threshold/protocol";
import type { ServerHandle } from "@threshold/server";
import type { Database } from "../packages/server/src/db/schema.js";
import { hashSecret, newSessionToken, SESSION_COOKIE } from "../packages/server/src/modules/auth/tokens.js";
import { deviceSecretContext } from "../packages/server/src/modules/keys/secret-box.js";
import { compartmentRow } from "../packages/server/src/modules/lockers/repository.js";
import { reserveCompartment, reservedParcel } from "../packages/server/src/modules/lockers/reservation.js";
import { nextMessage, startBenchServer, startChild, stopChild, withTimeout } from "./children.js";
import { percentile } from "./lib.js";
import { benchDevice, benchUser, type DeviceTrust, insertChunks, siteRow } from "./seed.js";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
function option(name: string, fallback: number): number {
  const raw = args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive whole number`);
  return value;
}
const settings = {
  banks: option("banks", quick ? 20 : 100),
  compartments: option("compartments", 100),
  parcelsPerBank: option("parcels-per-bank", quick ? 20 : 40),
  allocations: quick ? 500 : 2000,
};
const say = (line: string) => console.log(`lockers: ${line}`);
const fmt = (n: number, digits = 1) => n.toFixed(digits);

interface Bank {
  id: string;
  siteId: string;
  controller: DeviceIdentity;
  secret: Buffer;
  courierCookie: string;
  parcels: { trackingNumber: string; shipmentId: string; residentId: string }[];
}

async function seed(server: ServerHandle): Promise<{ banks: Bank[]; baseline: DeviceIdentity }> {
  const { db, clock, keyring, config, secrets } = server.ctx;
  const now = clock.now();
  const serverKeys = keyring.trustedByDevices();
  const trustedKid = keyring.currentKid;
  const carrierId = newId("carrier", now);
  const users: Database["users"][] = [];
  const sessions: Database["sessions"][] = [];
  const sites: Database["sites"][] = [];
  const devices: Database["devices"][] = [];
  const banks: Database["locker_banks"][] = [];
  const compartments: Database["compartments"][] = [];
  const residents: Database["building_residents"][] = [];
  const shipments: Database["shipments"][] = [];
  const out: Bank[] = [];
  const trust: DeviceTrust = { serverKeys, trustedKid, brokerUrl: server.ctx.mqttUrl, now };
  const user = (role: string, n: string, carrier: string | null) => {
    const row = benchUser(role, carrier, n, now);
    users.push(row);
    return row;
  };
  const site = (ownerId: string, lat: number, lng: number) => {
    const id = newId("site", now);
    sites.push(siteRow(id, ownerId, lat, lng, now, { name: "Bench building", geofenceRadiusM: 100 }));
    return id;
  };
  const controller = (siteId: string, ownerId: string, name: string) => {
    const secret = Buffer.from(randomSecret(32), "base64url").subarray(0, 32);
    const { row, identity } = benchDevice(
      trust,
      { siteId, ownerId, kind: "locker_controller", name },
      { raw: secret, sealed: (id) => secrets.seal(secret, deviceSecretContext(id)) },
    );
    devices.push(row);
    return { identity, secret };
  };

  for (let b = 0; b < settings.banks; b++) {
    const manager = user("manager", `${b}`, null);
    // Banks ~1 km apart: no overflow between them.
    const siteId = site(manager.id, 52 + b * 0.01, 4.8);
    const { identity, secret } = controller(siteId, manager.id, `Bench bank ${b}`);
    const bankId = newId("lockerBank", now);
    banks.push({
      id: bankId,
      site_id: siteId,
      name: `Bench bank ${b}`,
      controller_device_id: identity.deviceId,
      pickup_period_s: 259_200,
      overflow_distance_m: 10,
      package_room: null,
      wrong_code_limit: 5,
      lockout_s: 900,
      offline_since: null,
      created_at: now,
    });
    for (let n = 1; n <= settings.compartments; n++) {
      const size = n % 3 === 0 ? 41 : n % 3 === 1 ? 8 : 19;
      compartments.push(
        compartmentRow(
          bankId,
          {
            number: n,
            widthCm: 38,
            heightCm: size,
            depthCm: 64,
            sizeClass: size === 8 ? "S" : size === 19 ? "M" : "L",
          },
          now,
        ),
      );
    }
    const courier = user("courier", `${b}`, carrierId);
    const token = newSessionToken();
    sessions.push({
      token_hash: hashSecret(token),
      user_id: courier.id,
      created_at: now,
      expires_at: now + config.sessionTtlMs,
      ip: "127.0.0.1",
      user_agent: "bench",
    });
    const parcels: Bank["parcels"] = [];
    for (let p = 0; p < settings.parcelsPerBank; p++) {
      // One resident per parcel: no packing, so every parcel takes a compartment of its own.
      const resident = user("recipient", `${b}-${p}`, null);
      residents.push({ site_id: siteId, user_id: resident.id, unit: `${p}`, accessible: 0, created_at: now });
      const shipmentId = newId("shipment", now);
      const trackingNumber = `LKB${b}X${p}`;
      shipments.push({
        id: shipmentId,
        tracking_number: trackingNumber,
        carrier_id: carrierId,
        recipient_id: resident.id,
        site_id: siteId,
        method: "locker",
        window_start: now - 3_600_000,
        window_end: now + 6 * 3_600_000,
        length_cm: 30,
        width_cm: 20,
        height_cm: p % 2 === 0 ? 6 : 15,
        weight_g: 500,
        perishable: 0,
        signature_required: 0,
        value_cents: null,
        status: "assigned",
        courier_id: courier.id,
        delivered_at: null,
        delivered_visit_id: null,
        created_at: now,
        updated_at: now,
        locker_temperature: "ambient",
      });
      parcels.push({ trackingNumber, shipmentId, residentId: resident.id });
    }
    out.push({
      id: bankId,
      siteId,
      controller: identity,
      secret,
      courierCookie: `${SESSION_COOKIE}=${token}`,
      parcels,
    });
  }
  const baselineOwner = user("manager", "baseline", null);
  const baselineSite = site(baselineOwner.id, 51, 4);
  const baseline = controller(baselineSite, baselineOwner.id, "Baseline bank").identity;

  await db.insertInto("carriers").values({ id: carrierId, name: "Bench carrier", created_at: now }).execute();
  await insertChunks(db, "users", users);
  await insertChunks(db, "sessions", sessions);
  await insertChunks(db, "sites", sites);
  await insertChunks(db, "devices", devices);
  await insertChunks(db, "locker_banks", banks);
  await insertChunks(db, "compartments", compartments);
  await insertChunks(db, "building_residents", residents);
  await insertChunks(db, "shipments", shipments);
  return { banks: out, baseline };
}

function brokerTransport(server: ServerHandle) {
  const deps = Reflect.get(server.ctx.gateway, "deps") as
    | {
        transport?: {
          publishCommand(topic: string, payload: Buffer): Promise<void>;
          onInbound(fn: (topic: string, payload: Buffer) => void): void;
        };
      }
    | undefined;
  const transport = deps?.transport;
  if (!transport) throw new Error("cannot reach the gateway's broker transport; update bench/lockers.ts");
  return transport;
}

/** Bare compartment_open round trips: a fresh signed command each, published, its ack awaited. */
async function measureBaseline(server: ServerHandle, deviceId: string, count: number): Promise<number[]> {
  const transport = brokerTransport(server);
  const ackTopic = deviceTopic(deviceId, "ack");
  const cmdTopic = deviceTopic(deviceId, "cmd");
  let waiting: ((id: string) => void) | null = null;
  transport.onInbound((topic, payload) => {
    if (topic === ackTopic && waiting) waiting((JSON.parse(payload.toString()) as { commandId: string }).commandId);
  });
  const once = async (n: number) => {
    const now = server.ctx.clock.now();
    const command = server.ctx.keyring.sign({
      v: 1,
      id: newId("command", now),
      deviceId,
      kid: server.ctx.keyring.currentKid,
      issuedAt: now,
      expiresAt: now + 10_000,
      action: "compartment_open",
      params: { compartment: (n % settings.compartments) + 1, purpose: "audit" },
    });
    const arrived = new Promise<void>((resolve) => {
      waiting = (id) => {
        if (id === command.id) {
          waiting = null;
          resolve();
        }
      };
    });
    const t = performance.now();
    await transport.publishCommand(cmdTopic, Buffer.from(JSON.stringify(command)));
    await withTimeout(arrived, 5_000, "a baseline round trip");
    return performance.now() - t;
  };
  for (let i = 0; i < 50; i++) await once(i);
  const rtts: number[] = [];
  for (let i = 0; i < count; i++) rtts.push(await once(i));
  return rtts;
}

async function post(url: string, body: unknown, cookie?: string) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${url}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/**
 * Waits for parcels to reach a status: one shared poller asks the database about every waiting
 * parcel in a single query every 10 ms, so waiting does not itself load the server's database.
 */
class StatusWatch {
  private readonly waiters = new Map<
    string,
    { status: string; resolve: () => void; deadline: number; reject: (e: Error) => void }
  >();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly server: ServerHandle) {}

  wait(shipmentId: string, status: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiters.set(shipmentId, { status, resolve, reject, deadline: Date.now() + 20_000 });
      this.timer ??= setTimeout(() => void this.poll(), 10);
    });
  }

  private async poll(): Promise<void> {
    const ids = [...this.waiters.keys()];
    const rows =
      ids.length === 0
        ? []
        : await this.server.ctx.db
            .selectFrom("locker_parcels")
            .select(["shipment_id", "status"])
            .where("shipment_id", "in", ids)
            .execute();
    const now = Date.now();
    for (const row of rows) {
      const waiter = this.waiters.get(row.shipment_id ?? "");
      if (waiter && waiter.status === row.status) {
        this.waiters.delete(row.shipment_id ?? "");
        waiter.resolve();
      }
    }
    for (const [id, waiter] of this.waiters) {
      if (now > waiter.deadline) {
        this.waiters.delete(id);
        waiter.reject(new Error(`parcel of ${id} never became ${waiter.status}`));
      }
    }
    this.timer = this.waiters.size > 0 ? setTimeout(() => void this.poll(), 10) : undefined;
  }
}

async function main(): Promise<number> {
  const dataDir = process.env.BENCH_DATA_DIR;
  if (!dataDir) throw new Error("run through bench/bench.ts (BENCH_DATA_DIR)");
  const server = await startBenchServer(dataDir);
  let agents: ReturnType<typeof startChild> | undefined;
  try {
    say(
      `seeding ${settings.banks} banks × ${settings.compartments} compartments, ${settings.parcelsPerBank} parcels per bank…`,
    );
    const { banks, baseline } = await seed(server);
    const agentsFile = path.join(dataDir, "locker-agents.json");
    writeFileSync(
      agentsFile,
      JSON.stringify({ controllers: banks.map((b) => b.controller), baseline, compartments: settings.compartments }),
    );
    agents = startChild("locker-agents.ts", [agentsFile]);
    await withTimeout(
      nextMessage(agents, (m: { type?: string }) => (m.type === "ready" ? true : undefined)),
      120_000,
      "starting the controllers",
    );
    // Wait until the server has every controller's first state report (it opens nothing for an unknown state).
    const deadline = Date.now() + 60_000;
    for (;;) {
      const online = await server.ctx.db
        .selectFrom("devices")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("online", "=", 1)
        .executeTakeFirstOrThrow();
      if (Number(online.n) >= banks.length + 1) break;
      if (Date.now() > deadline) throw new Error("controllers did not come online");
      await new Promise((r) => setTimeout(r, 100));
    }
    const total = banks.length * settings.parcelsPerBank;
    const watch = new StatusWatch(server);

    say(`baseline: ${total} bare compartment_open command round trips…`);
    const rtts = await measureBaseline(server, baseline.deviceId, total);
    const baselineP50 = percentile(rtts, 50);
    say(`baseline: p50 ${fmt(baselineP50, 3)} ms, p99 ${fmt(percentile(rtts, 99), 3)} ms`);

    say(`drop-offs: ${banks.length} couriers at once, ${total} parcels…`);
    const dropStart = performance.now();
    const opened = new Map<string, number>();
    const openMs: number[] = [];
    const confirmMs: number[] = [];
    await Promise.all(
      banks.map(async (bank) => {
        for (const parcel of bank.parcels) {
          const t = performance.now();
          const answer = await post(
            `${server.url}/v1/lockers/banks/${bank.id}/drop-offs`,
            { trackingNumber: parcel.trackingNumber },
            bank.courierCookie,
          );
          const t2 = performance.now();
          openMs.push(t2 - t);
          opened.set(parcel.shipmentId, answer.compartment as number);
          await watch.wait(parcel.shipmentId, "in_locker");
          confirmMs.push(performance.now() - t2);
        }
      }),
    );
    const dropS = (performance.now() - dropStart) / 1000;
    const dropoffsPerS = total / dropS;
    say(`drop-offs: ${total} confirmed in ${fmt(dropS)} s: ${fmt(dropoffsPerS)}/s`);
    say(
      `drop-offs: scan → compartment open p50 ${fmt(percentile(openMs, 50))} ms, p99 ${fmt(percentile(openMs, 99))} ms; ` +
        `door shut → in_locker p50 ${fmt(percentile(confirmMs, 50))} ms`,
    );

    say(`pickups: ${total} codes typed at the kiosks…`);
    const pickStart = performance.now();
    await Promise.all(
      banks.map(async (bank) => {
        for (const parcel of bank.parcels) {
          const n = opened.get(parcel.shipmentId) as number;
          const code = lockerPickupCode(bank.secret, n, 1);
          await post(`${server.url}/v1/lockers/banks/${bank.id}/kiosk/code`, { code });
          await watch.wait(parcel.shipmentId, "picked_up");
        }
      }),
    );
    const pickS = (performance.now() - pickStart) / 1000;
    const pickupsPerS = total / pickS;
    say(`pickups: ${total} confirmed in ${fmt(pickS)} s: ${fmt(pickupsPerS)}/s`);

    // double_assignments: compartments whose parcels (over the whole run) belonged to more than one
    // resident at the same time — checked on every parcel that ever held one.
    const rows = await server.ctx.db
      .selectFrom("locker_parcels")
      .select(["compartment_id", "resident_id", "deposited_at", "picked_up_at"])
      .execute();
    let doubleAssignments = 0;
    const byCompartment = new Map<string, typeof rows>();
    for (const row of rows)
      byCompartment.set(row.compartment_id, [...(byCompartment.get(row.compartment_id) ?? []), row]);
    for (const list of byCompartment.values()) {
      for (let i = 0; i < list.length; i++) {
        for (let j = i + 1; j < list.length; j++) {
          const a = list[i] as (typeof rows)[number];
          const b = list[j] as (typeof rows)[number];
          if (a.resident_id === b.resident_id) continue;
          const overlap =
            Number(a.deposited_at) < Number(b.picked_up_at ?? Number.MAX_SAFE_INTEGER) &&
            Number(b.deposited_at) < Number(a.picked_up_at ?? Number.MAX_SAFE_INTEGER);
          if (overlap) doubleAssignments++;
        }
      }
    }

    say(`allocation: ${settings.allocations} reservations, 32 at a time…`);
    const allocMs: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < settings.allocations) {
          const i = next++;
          const bank = banks[i % banks.length] as Bank;
          const t = performance.now();
          await server.ctx.audit.transaction(async (trx) => {
            const now = server.ctx.clock.now();
            const reserved = await reserveCompartment(
              trx,
              {
                bankId: bank.id,
                residentId: newId("user"),
                parcel: [30, 20, 6],
                temperature: "ambient",
                preferAccessible: false,
                exclude: [],
              },
              now,
            );
            if (!reserved) return;
            await trx
              .insertInto("locker_parcels")
              .values(
                reservedParcel({
                  id: newId("lockerParcel", now),
                  kind: "delivery",
                  shipmentId: null,
                  label: `ALLOC${i}`,
                  bankId: bank.id,
                  compartmentId: reserved.compartment.id,
                  residentId: "bench",
                  carrierId: "bench",
                  courierId: null,
                  parcel: [30, 20, 6],
                  temperature: "ambient",
                  overflow: false,
                  now,
                }),
              )
              .execute();
          });
          allocMs.push(performance.now() - t);
        }
      }),
    );
    const allocP99 = percentile(allocMs, 99);
    say(`allocation: p50 ${fmt(percentile(allocMs, 50), 2)} ms, p99 ${fmt(allocP99, 2)} ms`);
    console.log(
      `bench lockers dropoffs_per_s=${fmt(dropoffsPerS)} pickups_per_s=${fmt(pickupsPerS)} alloc_p99_ms=${fmt(allocP99, 2)} ` +
        `baseline_rtt_p50_ms=${fmt(baselineP50, 3)} double_assignments=${doubleAssignments}`,
    );
    return doubleAssignments === 0 ? 0 : 1;
  } finally {
    await stopChild(agents);
    await server.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

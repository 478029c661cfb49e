import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as trunkConsentHomeZone from "../../db/migrations/20261208T0800-trunk-consent-home-zone.js";
import { addCar, BESIDE_THE_CAR, CAR_PARKED, northOfHome, SMALL_PARCEL, type TestCar } from "../../test/car.js";
import { TEST_DATABASES } from "../../test/databases.js";
import { type SignedInUser, signInAs } from "../../test/fixtures.js";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { createHome, HOME, type TestHome } from "../../test/home.js";
import { createApiKey, HOUR, iso, trackingNumber } from "../shipments/test-support/index.js";

/** Registering a car, pairing it, opting in and blocking (docs/in-car-delivery.md), and who may see what. */
describe.each(TEST_DATABASES)("cars on %s", (database) => {
  let server: TestServer;
  let home: TestHome;
  let car: TestCar;
  let stranger: SignedInUser;
  let operator: SignedInUser;
  let otherCourier: SignedInUser;

  beforeAll(async () => {
    server = await startTestServer({ database });
    home = await createHome(server);
    car = await addCar(server, home);
    stranger = await signInAs(server, "recipient");
    operator = await signInAs(server, "operator");
    otherCourier = await signInAs(server, "courier", { carrierId: home.carrierId });
  });
  afterAll(async () => {
    await car?.stop();
    await home?.stop();
    await server?.destroy();
  });

  const carBody = (overrides: Record<string, unknown> = {}) => ({
    siteId: home.siteId,
    make: "Škoda",
    model: "Octavia",
    colour: "white",
    plate: "ab-12-cd",
    fallback: "locker",
    ...overrides,
  });
  const as = (user: SignedInUser) => ({ cookie: user.cookie });
  const carsRowCount = async () =>
    Number(
      (
        await server.ctx.db
          .selectFrom("cars")
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );

  describe("registering", () => {
    it("adds a car with Amazon's limits, trunk delivery off and position shared only in the window", async () => {
      const photo = `data:image/png;base64,${Buffer.from("not really a png").toString("base64")}`;
      const res = await home.request("POST", "/v1/cars", { ...as(home.recipient), body: carBody({ photo }) });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        id: expect.stringMatching(/^veh_/),
        siteId: home.siteId,
        plate: "AB-12-CD",
        photo,
        deviceId: null,
        accessPointId: null,
        trunkDelivery: false,
        positionSharing: "delivery_window",
        requireCamera: false,
        filmed: false,
        fallback: "locker",
        trunk: { lengthCm: 66, widthCm: 53, heightCm: 40 },
        maxWeightG: 22_679,
        maxValueCents: 130_000,
        blocked: false,
        state: null,
      });
      const turnOn = await home.request("PATCH", `/v1/cars/${res.body.id}`, {
        ...as(home.recipient),
        body: { trunkDelivery: true },
      });
      expect(turnOn.status).toBe(409);
      expect(turnOn.body.error.code).toBe("car_not_paired");
    });

    it("refuses bad input and changes nothing", async () => {
      const before = await carsRowCount();
      const bad = [
        carBody({ photo: "https://example.com/car.jpg" }),
        carBody({ fallback: "neighbour" }),
        carBody({ plate: "" }),
        carBody({ colour: 7 }),
        carBody({ maxWeightG: 50_000 }),
        carBody({ trunk: { lengthCm: 5, widthCm: 50, heightCm: 40 } }),
        carBody({ wheels: 4 }),
      ];
      for (const body of bad) {
        const res = await home.request("POST", "/v1/cars", { ...as(home.recipient), body });
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body.error.code).toMatch(/invalid_request/);
      }
      const garbage = await home.request("POST", "/v1/cars", { ...as(home.recipient), rawBody: "{not json" });
      expect(garbage.status).toBe(400);
      const huge = await home.request("POST", "/v1/cars", {
        ...as(home.recipient),
        body: carBody({ photo: `data:image/png;base64,${"A".repeat(300_000)}` }),
      });
      expect(huge.status).toBe(413);
      expect(await carsRowCount()).toBe(before);
    });

    it("honours Idempotency-Key: a retried registration is one car", async () => {
      const before = await carsRowCount();
      const send = () =>
        home.request("POST", "/v1/cars", {
          ...as(home.recipient),
          headers: { "idempotency-key": "add-car-retry-1" },
          body: carBody({ plate: "ID-99-EM" }),
        });
      const [first, second] = await Promise.all([send(), send()]);
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(second.body.id).toBe(first.body.id);
      expect(await carsRowCount()).toBe(before + 1);
    });

    it("is only for your own homes, and only for people", async () => {
      const notMine = await home.request("POST", "/v1/cars", { ...as(stranger), body: carBody() });
      expect(notMine.status).toBe(404);
      expect((await home.request("POST", "/v1/cars", { body: carBody() })).status).toBe(401);
      const key = await createApiKey(
        home.request,
        await signInAs(server, "carrier_admin", { carrierId: home.carrierId }),
        ["shipments:write"],
      );
      expect((await home.request("POST", "/v1/cars", { bearer: key, body: carBody() })).status).toBe(403);
    });
  });

  describe("pairing, settings and blocking", () => {
    it("pairs the car's vehicle device: its trunk becomes an access point with the car's live report", async () => {
      const res = await home.request("GET", `/v1/cars/${car.carId}`, as(home.recipient));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        deviceId: car.agent.deviceId,
        accessPointId: car.accessPointId,
        trunkDelivery: true,
        filmed: false,
        cameraDeviceIds: [],
        state: {
          online: true,
          drive: "parked",
          position: { lat: CAR_PARKED.lat, lng: CAR_PARKED.lng, accuracyM: 5 },
          locks: "locked",
          trunk: "closed",
          doors: "closed",
        },
      });
      const point = await home.request("GET", `/v1/access-points/${car.accessPointId}`, as(home.recipient));
      expect(point.body).toMatchObject({ kind: "trunk", actuator: { id: car.agent.deviceId, kind: "vehicle" } });
    });

    it("refuses to pair a device that is not a vehicle, or not at the car's site", async () => {
      const spare = await home.request("POST", "/v1/cars", { ...as(home.recipient), body: carBody() });
      const wrongKind = await home.request("POST", `/v1/cars/${spare.body.id}/pair`, {
        ...as(home.recipient),
        body: { deviceId: home.lock.deviceId },
      });
      expect(wrongKind.status).toBe(422);
      expect(wrongKind.body.error.code).toBe("device_kind_mismatch");
      const unknown = await home.request("POST", `/v1/cars/${spare.body.id}/pair`, {
        ...as(home.recipient),
        body: { deviceId: "dev_01m7wmt4k8p2v6c9yb3q5dxh7r" },
      });
      expect(unknown.status).toBe(404);
      const again = await home.request("GET", `/v1/cars/${spare.body.id}`, as(home.recipient));
      expect(again.body).toMatchObject({ deviceId: null, accessPointId: null });
    });

    it("shows a car to its owner and operators only; only the owner changes or blocks it", async () => {
      const mine = await home.request("GET", "/v1/cars", as(home.recipient));
      expect(mine.body.cars.map((c: { id: string }) => c.id)).toContain(car.carId);
      expect((await home.request("GET", "/v1/cars", as(stranger))).body.cars).toEqual([]);
      expect((await home.request("GET", `/v1/cars/${car.carId}`, as(stranger))).status).toBe(404);
      expect((await home.request("GET", `/v1/cars/${car.carId}`, as(home.courier))).status).toBe(404);
      expect((await home.request("GET", `/v1/cars/${car.carId}`, as(operator))).status).toBe(200);
      for (const user of [stranger, home.courier]) {
        const patch = await home.request("PATCH", `/v1/cars/${car.carId}`, { ...as(user), body: { colour: "red" } });
        expect(patch.status).toBe(404);
        expect((await home.request("POST", `/v1/cars/${car.carId}/block`, as(user))).status).toBe(404);
        expect(
          (
            await home.request("POST", `/v1/cars/${car.carId}/pair`, {
              ...as(user),
              body: { deviceId: car.agent.deviceId },
            })
          ).status,
        ).toBe(404);
      }
      expect((await home.request("POST", `/v1/cars/${car.carId}/block`, as(operator))).status).toBe(403);
      const unknown = await home.request("GET", "/v1/cars/veh_01m7wmt4k8p2v6c9yb3q5dxh7r", as(home.recipient));
      expect(unknown.status).toBe(404);
      expect((await home.request("GET", "/v1/cars/not-an-id", as(home.recipient))).status).toBe(400);
      const after = await home.request("GET", `/v1/cars/${car.carId}`, as(home.recipient));
      expect(after.body).toMatchObject({ colour: "dark blue", blocked: false });
    });

    it("blocks and unblocks, each recorded once in the audit log", async () => {
      const blocked = await home.request("POST", `/v1/cars/${car.carId}/block`, as(home.recipient));
      expect(blocked.body).toMatchObject({ blocked: true, blockedAt: expect.any(String) });
      await home.request("POST", `/v1/cars/${car.carId}/block`, as(home.recipient));
      const unblocked = await home.request("POST", `/v1/cars/${car.carId}/unblock`, as(home.recipient));
      expect(unblocked.body).toMatchObject({ blocked: false, blockedAt: null });
      const types = await server.ctx.db
        .selectFrom("audit_events")
        .select("type")
        .where("subject_id", "=", car.carId)
        .where("type", "in", ["car.blocked", "car.unblocked"])
        .orderBy("seq")
        .execute();
      expect(types.map((t) => t.type)).toEqual(["car.blocked", "car.unblocked"]);
    });
  });

  describe("the courier's view of the car", () => {
    const view = (user: SignedInUser, shipmentId: string, where = BESIDE_THE_CAR) =>
      home.request("GET", `/v1/courier/stops/${shipmentId}/car?lat=${where.lat}&lng=${where.lng}`, as(user));

    it("shows the assigned courier the plate, colour, photo, distance and direction during the window", async () => {
      const { id } = await home.shipment({ method: "in_trunk", parcel: SMALL_PARCEL });
      const res = await view(home.courier, id, HOME);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        plate: "GH-123-K",
        colour: "dark blue",
        make: "Volvo",
        position: { lat: CAR_PARKED.lat, lng: CAR_PARKED.lng },
        drive: "parked",
        online: true,
        filmed: false,
        fallback: "backup_address",
      });
      expect(res.body.distanceM).toBeGreaterThanOrEqual(99);
      expect(res.body.distanceM).toBeLessThanOrEqual(101);
      expect(res.body.bearingDeg).toBe(0);
    });

    it("hides the car outside the window, and from other couriers and recipients always", async () => {
      const now = server.ctx.clock.now();
      const later = await home.shipment({
        method: "in_trunk",
        parcel: SMALL_PARCEL,
        windowStart: now + HOUR,
        windowEnd: now + 3 * HOUR,
      });
      const outside = await view(home.courier, later.id);
      expect(outside.status).toBe(409);
      expect(outside.body.error.code).toBe("window_closed");
      expect(JSON.stringify(outside.body)).not.toContain(String(CAR_PARKED.lat));

      const { id } = await home.shipment({ method: "in_trunk", parcel: SMALL_PARCEL });
      for (const user of [otherCourier, await signInAs(server, "courier")]) {
        const res = await view(user, id);
        expect(res.status).toBe(404);
        expect(JSON.stringify(res.body)).not.toContain("GH-123-K");
      }
      expect((await view(home.recipient, id)).status).toBe(403);
      const doorstep = await home.shipment({ method: "doorstep" });
      expect((await view(home.courier, doorstep.id)).status).toBe(404);
      const bad = await home.request("GET", `/v1/courier/stops/${id}/car?lat=north&lng=1`, as(home.courier));
      expect(bad.status).toBe(400);
    });

    it("with near_address sharing, shows the position only once the courier is near the address", async () => {
      await home.request("PATCH", `/v1/cars/${car.carId}`, {
        ...as(home.recipient),
        body: { positionSharing: "near_address" },
      });
      try {
        const { id } = await home.shipment({ method: "in_trunk", parcel: SMALL_PARCEL });
        const far = await view(home.courier, id, northOfHome(2_000));
        expect(far.body).toMatchObject({ position: null, distanceM: null, plate: "GH-123-K" });
        expect(far.body.positionNote).toMatch(/near the delivery address/);
        const near = await view(home.courier, id, HOME);
        expect(near.body.position).toMatchObject({ lat: CAR_PARKED.lat });
      } finally {
        await home.request("PATCH", `/v1/cars/${car.carId}`, {
          ...as(home.recipient),
          body: { positionSharing: "delivery_window" },
        });
      }
    });
  });

  describe("in_trunk shipments", () => {
    let key: string;
    beforeAll(async () => {
      const admin = await signInAs(server, "carrier_admin", { carrierId: home.carrierId });
      key = await createApiKey(home.request, admin, ["shipments:read", "shipments:write"]);
    });
    const create = (overrides: Record<string, unknown>) => {
      const now = server.ctx.clock.now();
      return home.request("POST", "/v1/shipments", {
        bearer: key,
        body: {
          trackingNumber: trackingNumber(),
          siteId: home.siteId,
          method: "in_trunk",
          window: { start: iso(now + HOUR), end: iso(now + 5 * HOUR) },
          size: { lengthCm: 40, widthCm: 30, heightCm: 20 },
          weightG: 3_000,
          ...overrides,
        },
      });
    };

    it("are created when the parcel fits the trunk", async () => {
      const res = await create({ flags: { valueCents: 20_000 } });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ method: "in_trunk" });
    });

    it("show their window in the zone the car's owner lives in, not in UTC", async () => {
      const res = await create({});
      expect(res.status).toBe(201);
      expect(res.body.timeZone).toBe("Europe/Amsterdam");
    });

    it("move a trunk's consent written in UTC to its home's zone when the database is migrated", async () => {
      const trunkConsent = () =>
        server.ctx.db
          .selectFrom("consents")
          .select("timezone")
          .where("access_point_id", "=", car.accessPointId)
          .executeTakeFirstOrThrow();
      await server.ctx.db
        .updateTable("consents")
        .set({ timezone: "UTC" })
        .where("access_point_id", "=", car.accessPointId)
        .execute();
      await trunkConsentHomeZone.up(server.ctx.db as unknown as Kysely<unknown>);
      expect(await trunkConsent()).toEqual({ timezone: "Europe/Amsterdam" });
    });

    it("may be returns the courier collects from the trunk, and only from a trunk", async () => {
      const res = await create({ direction: "return" });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ method: "in_trunk", direction: "return", status: "created" });
      const atTheDoor = await create({ direction: "return", method: "in_home" });
      expect(atTheDoor.status).toBe(422);
      expect(atTheDoor.body.error.code).toBe("method_not_suited");
    });

    it("are refused when the parcel is too heavy, too large, too valuable or unmeasured, storing nothing", async () => {
      const count = async () =>
        Number(
          (
            await server.ctx.db
              .selectFrom("shipments")
              .select((eb) => eb.fn.countAll().as("n"))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const before = await count();
      const cases: [Record<string, unknown>, string][] = [
        [{ weightG: 30_000 }, "parcel_too_heavy"],
        [{ size: { lengthCm: 90, widthCm: 30, heightCm: 20 } }, "parcel_too_large"],
        [{ flags: { valueCents: 200_000 } }, "parcel_too_valuable"],
        [{ weightG: undefined }, "parcel_unmeasured"],
      ];
      for (const [overrides, code] of cases) {
        const res = await create(overrides);
        expect(res.status, code).toBe(422);
        expect(res.body.error.code).toBe(code);
      }
      expect(await count()).toBe(before);
    });
  });
  describe("removing (last: the car is gone afterwards)", () => {
    it("only the owner removes the car; its trunk stops taking deliveries at once", async () => {
      expect((await home.request("DELETE", `/v1/cars/${car.carId}`, as(stranger))).status).toBe(404);
      expect((await home.request("DELETE", `/v1/cars/${car.carId}`, as(operator))).status).toBe(403);
      const removed = await home.request("DELETE", `/v1/cars/${car.carId}`, as(home.recipient));
      expect(removed.status).toBe(204);
      expect((await home.request("GET", `/v1/cars/${car.carId}`, as(home.recipient))).status).toBe(404);
      expect((await home.request("GET", `/v1/access-points/${car.accessPointId}`, as(home.recipient))).status).toBe(
        404,
      );
      const { trackingNumber } = await home.shipment({ method: "in_trunk", parcel: SMALL_PARCEL });
      const scan = await home.request("POST", "/v1/visits", {
        ...as(home.courier),
        body: { trackingNumber, location: BESIDE_THE_CAR },
      });
      expect(scan.body.status).toBe("refused");
      expect(scan.body.refusals.map((r: { code: string }) => r.code)).toContain("no_access_point");
      expect(car.agent.state.locks).toBe("locked");
      expect((await home.request("DELETE", `/v1/cars/${car.carId}`, as(home.recipient))).status).toBe(404);
    });
  });
});

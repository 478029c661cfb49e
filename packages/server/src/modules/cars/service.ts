import {
  bearingDegrees,
  type CarFacts,
  distanceMeters,
  newId,
  ThresholdError,
  type TrunkLimits,
} from "@threshold/core";
import { actorOf } from "../../audit/actor.js";
import type { AppContext } from "../../context.js";
import type { Actor } from "../../http/actor.js";
import { requireRole, visibleOrNotFound } from "../../http/ownership.js";
import { camerasOfAccessPoints, markAccessPointRemoved } from "../access-points/repository.js";
import { createAccessPoint } from "../access-points/service.js";
import { upsertConsent } from "../consent/repository.js";
import { deviceLiveness } from "../devices/index.js";
import { findActiveDevice } from "../devices/repository.js";
import { findShipmentById, sitesByIds } from "../shipments/repository.js";
import { findAccessPointForMethod } from "../shipments/site-access-points.js";
import { canRead, changeableOrNotFound, changeableSite, requirePerson } from "../sites/site-access.js";
import { findActiveCar, findCarOfAccessPoint, homeTimeZone, listCarsOfOwner, updateCar } from "./repository.js";
import type { Car, CarRow, CourierCar, CourierCarQuery, CreateCarBody, PairCarBody, UpdateCarBody } from "./schemas.js";
import { carStateOf, toCar } from "./views.js";

type Ctx = Pick<AppContext, "db" | "clock" | "config" | "audit">;

/**
 * A recipient's car (docs/in-car-delivery.md): registered, paired with the vehicle device that
 * speaks for it (which makes its trunk an access point), opted in to trunk delivery, blocked at
 * will. Its owner may read and change it; operators may read it; to anyone else it does not exist.
 */
export class CarService {
  constructor(private readonly ctx: Ctx) {}

  async create(actor: Actor, body: CreateCarBody): Promise<Car> {
    const user = requirePerson(actor, "register cars");
    const site = await changeableSite(this.ctx.db, user, body.siteId);
    const now = this.ctx.clock.now();
    const limits = this.limitsOf(body, null);
    const row: CarRow = {
      id: newId("car", now),
      owner_id: user.userId,
      site_id: site.id,
      make: body.make.trim(),
      model: body.model.trim(),
      colour: body.colour.trim(),
      plate: body.plate.trim().toUpperCase(),
      photo: body.photo ?? null,
      device_id: null,
      access_point_id: null,
      trunk_delivery: 0,
      position_sharing: body.positionSharing ?? "delivery_window",
      require_camera: body.requireCamera ? 1 : 0,
      fallback: body.fallback,
      fallback_note: body.fallbackNote?.trim() ?? "",
      trunk_length_cm: limits.lengthCm,
      trunk_width_cm: limits.widthCm,
      trunk_height_cm: limits.heightCm,
      max_weight_g: limits.maxWeightG,
      max_value_cents: limits.maxValueCents,
      blocked_at: null,
      created_at: now,
      updated_at: now,
      removed_at: null,
    };
    await this.ctx.audit.transaction(async (trx, record) => {
      await trx.insertInto("cars").values(row).execute();
      record({
        type: "car.created",
        subjectType: "car",
        subjectId: row.id,
        siteId: row.site_id,
        actor: actorOf(actor),
        // The plate is not audited: the audit log is read more widely than the car.
        data: { make: row.make, model: row.model },
      });
    });
    return this.view(row);
  }

  async list(actor: Actor): Promise<Car[]> {
    const user = requirePerson(actor, "read cars");
    return Promise.all((await listCarsOfOwner(this.ctx.db, user.userId)).map((row) => this.view(row)));
  }

  async get(actor: Actor, id: string): Promise<Car> {
    const user = requirePerson(actor, "read cars");
    const row = visibleOrNotFound(await findActiveCar(this.ctx.db, id), (car) => canRead(user, car.owner_id), "car");
    return this.view(row);
  }

  /**
   * Links the car's vehicle device (paired at the car's site like any device) and makes its trunk an
   * access point, witnessed by the cameras given (a car's own camera, paired as a camera), if any.
   */
  async pair(actor: Actor, id: string, body: PairCarBody): Promise<Car> {
    const row = await this.changeable(actor, id);
    if (row.device_id === body.deviceId) return this.view(row);
    if (row.device_id !== null) {
      throw new ThresholdError(
        "conflict",
        "This car is already paired with another device; remove the car and add it again.",
      );
    }
    const device = await findActiveDevice(this.ctx.db, body.deviceId);
    if (!device || device.site_id !== row.site_id) {
      throw new ThresholdError(
        "not_found",
        "deviceId: no device with that id is paired at this car's site; pair it there first.",
      );
    }
    const point = await createAccessPoint(this.ctx, actor, row.site_id, {
      kind: "trunk",
      name: `${row.make} ${row.model} trunk`.slice(0, 64),
      actuatorDeviceId: body.deviceId,
      ...(body.cameraDeviceIds ? { cameraDeviceIds: body.cameraDeviceIds } : {}),
    });
    const now = this.ctx.clock.now();
    const paired = await this.ctx.audit.transaction(async (trx, record) => {
      const updated = await trx
        .updateTable("cars")
        .set({ device_id: body.deviceId, access_point_id: point.id, updated_at: now })
        .where("id", "=", row.id)
        .where("device_id", "is", null)
        .executeTakeFirst();
      if (updated.numUpdatedRows === 0n) return false;
      record({
        type: "car.paired",
        subjectType: "car",
        subjectId: row.id,
        siteId: row.site_id,
        actor: actorOf(actor),
        data: { deviceId: body.deviceId, accessPointId: point.id },
      });
      return true;
    });
    if (!paired) {
      // A racing pair won: the trunk made for this one opens nothing and must not linger.
      await markAccessPointRemoved(this.ctx.db, point.id, now);
      throw new ThresholdError("conflict", "The car was paired meanwhile; reload it.");
    }
    return this.view(await this.reload(row.id));
  }

  async update(actor: Actor, id: string, body: UpdateCarBody): Promise<Car> {
    const row = await this.changeable(actor, id);
    if (body.trunkDelivery === true && !row.access_point_id) {
      throw new ThresholdError(
        "car_not_paired",
        "Pair the car with its vehicle device first, then turn trunk delivery on.",
      );
    }
    const limits = this.limitsOf(body, row);
    const now = this.ctx.clock.now();
    const patch: Partial<CarRow> = {
      ...(body.make !== undefined ? { make: body.make.trim() } : {}),
      ...(body.model !== undefined ? { model: body.model.trim() } : {}),
      ...(body.colour !== undefined ? { colour: body.colour.trim() } : {}),
      ...(body.plate !== undefined ? { plate: body.plate.trim().toUpperCase() } : {}),
      ...(body.photo !== undefined ? { photo: body.photo } : {}),
      ...(body.positionSharing !== undefined ? { position_sharing: body.positionSharing } : {}),
      ...(body.requireCamera !== undefined ? { require_camera: body.requireCamera ? 1 : 0 } : {}),
      ...(body.fallback !== undefined ? { fallback: body.fallback } : {}),
      ...(body.fallbackNote !== undefined ? { fallback_note: body.fallbackNote.trim() } : {}),
      ...(body.trunkDelivery !== undefined ? { trunk_delivery: body.trunkDelivery ? 1 : 0 } : {}),
      trunk_length_cm: limits.lengthCm,
      trunk_width_cm: limits.widthCm,
      trunk_height_cm: limits.heightCm,
      max_weight_g: limits.maxWeightG,
      max_value_cents: limits.maxValueCents,
      updated_at: now,
    };
    await this.ctx.audit.transaction(async (trx, record) => {
      if (!(await updateCar(trx, row.id, patch))) throw new ThresholdError("not_found", "No car with that id.");
      // Opting in is the trunk's consent for in_trunk, all day every day: the window is the carrier's.
      if (body.trunkDelivery !== undefined && row.access_point_id) {
        await upsertConsent(trx, {
          access_point_id: row.access_point_id,
          site_id: row.site_id,
          methods: JSON.stringify(body.trunkDelivery ? ["in_trunk"] : []),
          days: JSON.stringify([1, 2, 3, 4, 5, 6, 7]),
          from_minute: 0,
          to_minute: 1440,
          timezone: (await homeTimeZone(trx, row.site_id, row.access_point_id)) ?? "UTC",
          notes: "",
          updated_at: now,
        });
      }
      const { photo: _photo, plate: _plate, ...changed } = body;
      record({
        type: "car.updated",
        subjectType: "car",
        subjectId: row.id,
        siteId: row.site_id,
        actor: actorOf(actor),
        data: { ...changed, ...(body.photo !== undefined ? { photoChanged: true } : {}) },
      });
    });
    return this.view(await this.reload(row.id));
  }

  /**
   * Removes the car and its trunk access point: no trunk visit can start from this moment (one
   * already open finishes as it would). The vehicle device stays paired until removed on its own.
   */
  async remove(actor: Actor, id: string): Promise<void> {
    const row = await this.changeable(actor, id);
    const now = this.ctx.clock.now();
    await this.ctx.audit.transaction(async (trx, record) => {
      if (!(await updateCar(trx, row.id, { removed_at: now, updated_at: now }))) {
        throw new ThresholdError("not_found", "No car with that id.");
      }
      if (row.access_point_id) await markAccessPointRemoved(trx, row.access_point_id, now);
      record({
        type: "car.removed",
        subjectType: "car",
        subjectId: row.id,
        siteId: row.site_id,
        actor: actorOf(actor),
        data: { accessPointId: row.access_point_id },
      });
    });
  }

  /** Blocks (or unblocks) the car at once: no trunk opens while it is blocked, whatever else holds. */
  async setBlocked(actor: Actor, id: string, blocked: boolean): Promise<Car> {
    const row = await this.changeable(actor, id);
    if ((row.blocked_at !== null) === blocked) return this.view(row);
    const now = this.ctx.clock.now();
    await this.ctx.audit.transaction(async (trx, record) => {
      await updateCar(trx, row.id, { blocked_at: blocked ? now : null, updated_at: now });
      record({
        type: blocked ? "car.blocked" : "car.unblocked",
        subjectType: "car",
        subjectId: row.id,
        siteId: row.site_id,
        actor: actorOf(actor),
        data: {},
      });
    });
    return this.view(await this.reload(row.id));
  }

  /**
   * What the courier of an in_trunk shipment sees of the car: plate, colour, photo, and where it
   * is — only the assigned courier, only during the shipment's window, and with `near_address`
   * sharing only once they are near the address. To anyone else the car does not exist.
   */
  async forCourier(actor: Actor, shipmentId: string, where: CourierCarQuery): Promise<CourierCar> {
    const courier = requireRole(actor, ["courier"], "see a stop's car");
    const shipment = visibleOrNotFound(
      await findShipmentById(this.ctx.db, shipmentId),
      (s) => s.courier_id === courier.userId && s.method === "in_trunk" && s.status === "assigned",
      "stop",
    );
    const now = this.ctx.clock.now();
    if (now < shipment.window_start || now >= shipment.window_end) {
      throw new ThresholdError(
        "window_closed",
        "The car is shown only during the delivery window. Come back to this stop when its window opens.",
      );
    }
    const row = await findCarOfSite(this.ctx, shipment.site_id);
    if (!row) throw new ThresholdError("not_found", "No car takes deliveries at this stop any more; use the doorstep.");
    const [device, sites, cameras] = await Promise.all([
      row.device_id ? findActiveDevice(this.ctx.db, row.device_id) : undefined,
      sitesByIds(this.ctx.db, [row.site_id]),
      this.cameras(row),
    ]);
    const state = carStateOf(device, deviceLiveness(this.ctx));
    const site = sites.get(row.site_id);
    const courierAt = { lat: where.lat, lng: where.lng };
    const nearAddress =
      site !== undefined &&
      distanceMeters(courierAt, { lat: site.lat, lng: site.lng }) <= this.ctx.config.car.maxDistanceFromAddressM;
    const hidden = row.position_sharing === "near_address" && !nearAddress;
    const position = hidden ? null : (state?.position ?? null);
    return {
      shipmentId: shipment.id,
      make: row.make,
      model: row.model,
      colour: row.colour,
      plate: row.plate,
      photo: row.photo,
      position,
      positionNote: hidden
        ? "The owner shares the car's position only near the delivery address: go to the address first."
        : position
          ? null
          : "The car has not reported its position.",
      distanceM: position ? Math.round(distanceMeters(courierAt, position)) : null,
      bearingDeg: position ? bearingDegrees(courierAt, position) : null,
      drive: state?.drive ?? null,
      online: state?.online ?? false,
      filmed: cameras.length > 0,
      fallback: row.fallback as CourierCar["fallback"],
      fallbackNote: row.fallback_note,
    };
  }

  /** The server's limits, lowered where the owner set less; asking for more than the server allows is an error. */
  private limitsOf(
    body: Pick<UpdateCarBody, "trunk" | "maxWeightG" | "maxValueCents">,
    row: CarRow | null,
  ): TrunkLimits {
    const { maxWeightG, maxValueCents } = this.ctx.config.car;
    if (body.maxWeightG !== undefined && body.maxWeightG > maxWeightG) {
      throw new ThresholdError("invalid_request", `maxWeightG may be at most ${maxWeightG} (the server's limit).`);
    }
    if (body.maxValueCents !== undefined && body.maxValueCents > maxValueCents) {
      throw new ThresholdError(
        "invalid_request",
        `maxValueCents may be at most ${maxValueCents} (the server's limit).`,
      );
    }
    return {
      lengthCm: body.trunk?.lengthCm ?? row?.trunk_length_cm ?? DEFAULT_TRUNK.lengthCm,
      widthCm: body.trunk?.widthCm ?? row?.trunk_width_cm ?? DEFAULT_TRUNK.widthCm,
      heightCm: body.trunk?.heightCm ?? row?.trunk_height_cm ?? DEFAULT_TRUNK.heightCm,
      maxWeightG: body.maxWeightG ?? row?.max_weight_g ?? maxWeightG,
      maxValueCents: body.maxValueCents ?? (row ? Number(row.max_value_cents) : maxValueCents),
    };
  }

  private async changeable(actor: Actor, id: string): Promise<CarRow> {
    const user = requirePerson(actor, "change cars");
    return changeableOrNotFound(user, await findActiveCar(this.ctx.db, id), (car) => car.owner_id, "car");
  }

  private async reload(id: string): Promise<CarRow> {
    const row = await findActiveCar(this.ctx.db, id);
    if (!row) throw new ThresholdError("not_found", "No car with that id.");
    return row;
  }

  private async cameras(row: CarRow): Promise<string[]> {
    if (!row.access_point_id) return [];
    return (await camerasOfAccessPoints(this.ctx.db, [row.access_point_id])).get(row.access_point_id) ?? [];
  }

  private async view(row: CarRow): Promise<Car> {
    const device = row.device_id ? await findActiveDevice(this.ctx.db, row.device_id) : undefined;
    return toCar(row, row.device_id ? carStateOf(device, deviceLiveness(this.ctx)) : null, await this.cameras(row));
  }
}

/** Amazon's 26 × 21 × 16 in: the trunk size a car has until its owner says otherwise. */
const DEFAULT_TRUNK = { lengthCm: 66, widthCm: 53, heightCm: 40 };

/** The car whose trunk takes the site's in_trunk deliveries: the one behind the trunk access point delivery uses. */
export async function findCarOfSite(ctx: Pick<AppContext, "db">, siteId: string): Promise<CarRow | undefined> {
  const point = await findAccessPointForMethod(ctx.db, siteId, "in_trunk");
  return point ? findCarOfAccessPoint(ctx.db, point.id) : undefined;
}

/** What the car's trunk takes: its stated size, and the owner's limits within the server's. */
export function trunkLimitsOf(config: AppContext["config"], row: CarRow): TrunkLimits {
  return {
    lengthCm: row.trunk_length_cm,
    widthCm: row.trunk_width_cm,
    heightCm: row.trunk_height_cm,
    maxWeightG: Math.min(row.max_weight_g, config.car.maxWeightG),
    maxValueCents: Math.min(Number(row.max_value_cents), config.car.maxValueCents),
  };
}

/** The facts the visit rules need about a car (docs/in-car-delivery.md). */
export function carFactsOf(
  ctx: Pick<AppContext, "clock" | "config">,
  row: CarRow | undefined,
  device: { online: number; last_seen_at: number | null; reported_state: string | null } | undefined,
): CarFacts | null {
  if (!row || !device) return null;
  const state = carStateOf(device, deviceLiveness(ctx));
  if (!state) return null;
  const { car } = ctx.config;
  return {
    online: state.online,
    blocked: row.blocked_at !== null,
    drive: state.drive,
    position: state.position,
    locks: state.locks,
    trunk: state.trunk,
    doors: state.doors,
    limits: trunkLimitsOf(ctx.config, row),
    maxDistanceFromAddressM: car.maxDistanceFromAddressM,
    courierMaxDistanceM: car.courierMaxDistanceM,
    requireCamera: row.require_camera === 1,
  };
}

import {
  checkVisit,
  type DeliveryMethod,
  type EventType,
  newId,
  type Refusal,
  refusal,
  ThresholdError,
  type VisitFacts,
  visitEventType,
} from "@threshold/core";
import type { CommandAction, CommandMessage } from "@threshold/protocol";
import type { Transaction } from "kysely";
import type { AuditActor, Record_ } from "../../audit/audit-log.js";
import { SYSTEM_ACTOR } from "../../audit/audit-log.js";
import type { CommandOutcome, StagedCommand } from "../../commands/command-service.js";
import type { AppContext } from "../../context.js";
import { isUniqueViolation } from "../../db/errors.js";
import type { Database } from "../../db/schema.js";
import type { UserActor } from "../../http/actor.js";
import { findCarOfAccessPoint } from "../cars/repository.js";
import { carFactsOf } from "../cars/service.js";
import { fallbackSentence } from "../cars/views.js";
import { deviceLiveness, isOnline, reportedState } from "../devices/index.js";
import { insertOpenIncident } from "../incidents/repository.js";
import { markShipmentDelivered, shipmentDeliveredEvent } from "../shipments/index.js";
import { closeClip, openClip } from "../video/clip-links.js";
import { liveCameras } from "../video/service.js";
import { type Actuator, actuatorForMethod, LOCK, VEHICLE } from "./actuators.js";
import { ChainedVisit } from "./chained-visit.js";
import { usableCode } from "./code-check.js";
import {
  findDevice,
  findShipmentByTracking,
  findSite,
  findVisit,
  findVisitInProgressOfShipment,
  hasVisitInProgress,
  IN_PROGRESS,
  transition,
  type VisitStatus,
} from "./repository.js";
import { alreadyUnderWayView, notAssignedView, toVisitView, type VisitView } from "./views.js";
import { findVisitTarget, type VisitTarget } from "./visit-target.js";

export type VisitCtx = Pick<AppContext, "db" | "audit" | "clock" | "config" | "commands" | "log">;

export interface ScanRequest {
  trackingNumber: string;
  location: { lat: number; lng: number };
  siteId?: string;
  /** Check in to open with this one-time keypad code instead of a remote unlock (docs/access-codes.md). */
  accessCodeId?: string;
}

/** How long a checked-in courier's code is enabled on the lock: long enough to type it, short enough to be theirs alone. */
export const CODE_ENABLE_MS = 120_000;
/** After the enable period, how long a pin.used still on its way may open the visit before the watchdog ends it. */
const CODE_OPEN_GRACE_MS = 10_000;

type VisitRow = Database["visits"];
type ShipmentRow = Database["shipments"];

/** What every visit.* audit event carries, so live streams and webhooks can route it without a lookup. */
function visitData(
  visit: Pick<VisitRow, "courier_id" | "carrier_id" | "shipment_id">,
  shipment: Pick<ShipmentRow, "tracking_number">,
  extra: Record<string, unknown> = {},
) {
  return {
    courierId: visit.courier_id,
    carrierId: visit.carrier_id,
    shipmentId: visit.shipment_id,
    trackingNumber: shipment.tracking_number,
    ...extra,
  };
}

const actorOf = (courier: UserActor): AuditActor => ({ type: "user", id: courier.userId });

/**
 * The visit, through a front door, a garage or a fridge: a courier's scan is checked against every
 * part of DESIGN.md rule 1, then the camera is told to record and confirms, access is re-checked,
 * and only then the signed open command (unlock, or a garage's open) goes out. The visit is `open`
 * only when the actuator itself reports open; it is `secured` only when it reports secured (locked
 * with the door closed; a garage fully closed and clear). What differs per actuator is in
 * actuators.ts, the fridge behind a front door in chained-visit.ts. Anything that fails or times
 * out ends the visit aborted, with the actuator told to secure.
 */
export class VisitService {
  /** The fridge behind a front door, when a visit chains one. */
  readonly chain: ChainedVisit;

  constructor(private readonly ctx: VisitCtx) {
    this.chain = new ChainedVisit(ctx, this);
  }

  /** The courier, inside with the front door open, asks for the fridge behind it (docs/garage-and-fridge.md). */
  async openNext(courier: UserActor, visitId: string): Promise<VisitView> {
    const visit = await findVisit(this.ctx.db, visitId);
    const shipment = visit && visit.courier_id === courier.userId ? await this.shipmentOf(visit) : undefined;
    await this.chain.openNext(courier, visit, shipment);
    return this.current(visitId, shipment as ShipmentRow);
  }

  async scan(courier: UserActor, request: ScanRequest): Promise<VisitView> {
    const { db, clock } = this.ctx;
    const now = clock.now();
    const shipment = courier.carrierId
      ? await findShipmentByTracking(db, courier.carrierId, request.trackingNumber)
      : undefined;
    if (!shipment || shipment.courier_id !== courier.userId) return notAssignedView(request.trackingNumber, now);
    // The courier scanned again while their own visit of this package is under way (the app was
    // reloaded, the label scanned twice): that visit is the answer, not a refusal of a second one.
    const underWay = await findVisitInProgressOfShipment(db, shipment.id, courier.userId);
    if (underWay) return alreadyUnderWayView(underWay, shipment.tracking_number);

    const [site, target] = await Promise.all([
      findSite(db, shipment.site_id),
      findVisitTarget(db, shipment.site_id, shipment.method as DeliveryMethod),
    ]);
    const door = target?.outer ?? null;
    if (request.accessCodeId !== undefined) await usableCode(db, request.accessCodeId, shipment.id, door);
    const { facts, cameraId, car } = await this.gatherFacts(courier, request, shipment, site ?? null, target, now);
    const refusals = withFallback(checkVisit(facts), car);
    const base = {
      id: newId("visit", now),
      shipment_id: shipment.id,
      site_id: shipment.site_id,
      access_point_id: door?.id ?? null,
      courier_id: courier.userId,
      carrier_id: shipment.carrier_id,
      courier_lat: request.location.lat,
      courier_lng: request.location.lng,
      requested_at: now,
      lock_device_id: door?.actuatorDeviceId ?? null,
      camera_device_id: cameraId,
      updated_at: now,
      // A fridge behind the front door: opened later, on the courier's request (openNext).
      ...(target?.inner
        ? { inner_access_point_id: target.inner.id, inner_device_id: target.inner.actuatorDeviceId }
        : {}),
      access_code_id: request.accessCodeId ?? null,
      reconciled_at: null,
      // A trunk visit remembers where the car stood: moving away from there during the visit is an incident.
      ...(facts.car?.position ? { car_lat: facts.car.position.lat, car_lng: facts.car.position.lng } : {}),
    };
    if (refusals.length > 0) return this.refuse(courier, base, shipment, refusals);

    let authorized: { row: VisitRow; recordStart: StagedCommand | null };
    try {
      authorized = await this.ctx.audit.transaction(async (trx, record) => {
        const row: VisitRow = { ...emptyVisit(), ...base, status: "authorized", authorized_at: now };
        await trx.insertInto("visits").values(row).execute();
        await openClip(trx, row, now, this.ctx.config.media);
        record({
          type: "visit.authorized",
          subjectType: "visit",
          subjectId: row.id,
          siteId: row.site_id,
          actor: actorOf(courier),
          data: visitData(row, shipment, {
            accessPointId: row.access_point_id,
            courierFirstName: await firstName(trx, courier.userId),
          }),
        });
        // The camera's order is decided, stored and audited with the authorization: one commit.
        const recordStart = await this.stage(trx, record, row, row.camera_device_id, "record_start");
        return { row, recordStart };
      });
    } catch (error) {
      // The partial unique indexes let one visit per door and per courier be in progress; a racing scan lost.
      if (!isUniqueViolation(error)) throw error;
      const atDoor = door ? await hasVisitInProgress(db, "access_point_id", door.id) : false;
      return this.refuse(courier, base, shipment, [refusal(atDoor ? "visit_in_progress" : "courier_busy")]);
    }
    return this.open(authorized.row, shipment, authorized.recordStart);
  }

  private async gatherFacts(
    courier: UserActor,
    request: ScanRequest,
    shipment: ShipmentRow,
    site: Database["sites"] | null,
    target: VisitTarget | null,
    now: number,
  ): Promise<{ facts: VisitFacts; cameraId: string | null; car: Database["cars"] | undefined }> {
    const { db } = this.ctx;
    const liveness = deviceLiveness(this.ctx);
    const door = target?.outer ?? null;
    const cameraIds = door?.cameraDeviceIds ?? [];
    const trunk = target?.actuator.kind === "vehicle";
    const [lock, cameras, fresh, doorBusy, courierBusy, inner, car] = await Promise.all([
      door ? findDevice(db, door.actuatorDeviceId) : undefined,
      Promise.all(cameraIds.map((id) => findDevice(db, id))),
      liveCameras(this.ctx, cameraIds),
      door ? hasVisitInProgress(db, "access_point_id", door.id) : false,
      hasVisitInProgress(db, "courier_id", courier.userId),
      target?.inner ? findDevice(db, target.inner.actuatorDeviceId) : undefined,
      trunk && door ? findCarOfAccessPoint(db, door.id) : undefined,
    ]);
    const lockState = lock ? reportedState(lock.reported_state) : null;
    const innerState = inner ? reportedState(inner.reported_state) : null;
    // A witness is live when it is connected (it must take the record command) and the server has
    // fresh video from it; what the camera says of itself is not trusted (the Cloud Cam attack).
    // The first live witness records the visit.
    const liveCamera = cameras.find((c) => c && isOnline(c, liveness) && fresh.has(c.id));
    const facts: VisitFacts = {
      now,
      courierId: courier.userId,
      courierLocation: request.location,
      claimedSiteId: request.siteId ?? null,
      shipment: {
        courierId: shipment.courier_id,
        siteId: shipment.site_id,
        method: shipment.method as NonNullable<VisitFacts["shipment"]>["method"],
        status: shipment.status,
        windowStart: shipment.window_start,
        windowEnd: shipment.window_end,
      },
      site: site
        ? {
            location: { lat: site.lat, lng: site.lng },
            geofenceRadiusM: site.geofence_radius_m,
            blocked: site.access_blocked_at !== null,
          }
        : null,
      accessPoint: target ? { consent: target.point.consent } : null,
      lock:
        lock && !trunk
          ? { online: isOnline(lock, liveness), lock: stringOf(lockState?.lock), door: stringOf(lockState?.door) }
          : null,
      ...(trunk
        ? {
            car: carFactsOf(this.ctx, car, lock),
            parcel: {
              lengthCm: shipment.length_cm,
              widthCm: shipment.width_cm,
              heightCm: shipment.height_cm,
              weightG: shipment.weight_g,
              valueCents: shipment.value_cents === null ? null : Number(shipment.value_cents),
            },
          }
        : {}),
      ...(target?.actuator.kind === "garage_opener"
        ? {
            garage: lock
              ? {
                  online: isOnline(lock, liveness),
                  door: stringOf(lockState?.door),
                  obstructed: typeof lockState?.obstructed === "boolean" ? lockState.obstructed : null,
                }
              : null,
          }
        : {}),
      ...(target?.inner
        ? {
            innerLock: inner
              ? {
                  online: isOnline(inner, liveness),
                  lock: stringOf(innerState?.lock),
                  door: stringOf(innerState?.door),
                  temperatureC: typeof innerState?.temperatureC === "number" ? innerState.temperatureC : null,
                  maxTemperatureC: this.ctx.config.fridge.maxTemperatureC,
                }
              : null,
          }
        : {}),
      camera: cameras.length > 0 ? { live: liveCamera !== undefined } : null,
      visitInProgressAtDoor: doorBusy,
      courierHasVisitInProgress: courierBusy,
    };
    return { facts, cameraId: liveCamera?.id ?? door?.cameraDeviceIds[0] ?? null, car };
  }

  private async refuse(
    courier: UserActor,
    base: Omit<
      VisitRow,
      | "status"
      | "refusals"
      | "reason"
      | "authorized_at"
      | "opened_at"
      | "securing_at"
      | "secured_at"
      | "ended_at"
      | "deadline_at"
      | "clip_from"
      | "clip_until"
    >,
    shipment: ShipmentRow,
    refusals: Refusal[],
  ): Promise<VisitView> {
    const row: VisitRow = {
      ...emptyVisit(),
      ...base,
      status: "refused",
      refusals: JSON.stringify(refusals),
      ended_at: base.requested_at,
    };
    await this.ctx.audit.transaction(async (trx, record) => {
      await trx.insertInto("visits").values(row).execute();
      record({
        type: "visit.refused",
        subjectType: "visit",
        subjectId: row.id,
        siteId: row.site_id,
        actor: actorOf(courier),
        data: visitData(row, shipment, { codes: refusals.map((r) => r.code) }),
      });
    });
    return toVisitView(row, shipment.tracking_number);
  }

  /** Camera first, then a last look at the block switch, then the signed unlock. */
  private async open(visit: VisitRow, shipment: ShipmentRow, recordStart: StagedCommand | null): Promise<VisitView> {
    const actuator = actuatorForMethod(shipment.method);
    // Authorization requires a live camera, so there is always one to tell; without one, no unlock.
    // The one exception: a car with no camera whose owner accepted unfilmed trunk visits.
    const unfilmedTrunk = actuator === VEHICLE && visit.camera_device_id === null;
    if (!recordStart && !unfilmedTrunk) return this.abort(visit, shipment, "camera_missing");
    if (recordStart) {
      const recording = await (await recordStart.publish()).outcome;
      if (recording.status !== "succeeded") return this.abort(visit, shipment, `camera_${recording.status}`);
    }
    // A code visit enables the courier's code for a moment instead of unlocking: the lock opens
    // when the courier types it, and reports pin.used (docs/access-codes.md).
    const codeId = visit.access_code_id ?? null;
    const enabledUntil = this.ctx.clock.now() + CODE_ENABLE_MS;
    const moved = await this.move(visit, shipment, ["authorized"], "opening", {
      guard: async (trx) =>
        (await blockedNow(trx, visit.site_id)) ?? (actuator === VEHICLE ? await carStoppedSince(trx, visit) : null),
      issue: codeId
        ? { deviceId: visit.lock_device_id, action: "pin_enable", params: { codeId, enabledUntil } }
        : { deviceId: visit.lock_device_id, action: actuator.open },
      // The watchdog gives a code visit until the code's enable period (plus a margin) to open.
      ...(codeId ? { patch: { deadline_at: enabledUntil + CODE_OPEN_GRACE_MS } } : {}),
    });
    if (moved === "blocked") return this.abort(visit, shipment, "access_blocked");
    // The car started driving (or was blocked) between authorization and unlock: the unlock is cancelled.
    if (moved === "car_moving" || moved === "car_blocked") return this.abort(visit, shipment, moved);
    const unlock = moved ? moved.command : null;
    if (!unlock) return this.current(visit.id, shipment);
    if (codeId) {
      const enabled = await (await unlock.publish()).outcome;
      if (enabled.status !== "succeeded") {
        return this.abort(visit, shipment, `code_enable_${enabled.reason ?? enabled.status}`);
      }
      return this.current(visit.id, shipment);
    }

    const unlocked = await (await unlock.publish()).outcome;
    if (unlocked.status !== "succeeded" || !actuator.isOpen(unlocked.ack?.state)) {
      return this.abort(visit, shipment, openFailure(actuator, unlocked));
    }
    const now = this.ctx.clock.now();
    await this.move(visit, shipment, ["opening"], "open", {
      patch: { opened_at: now, deadline_at: now + this.ctx.config.visitMaxOpenMs },
    });
    return this.current(visit.id, shipment);
  }

  /**
   * The lock reports the courier's code was used (pin.used): the visit it was enabled for is open
   * from now, with the usual time to secure it. False when no visit was waiting for that code.
   */
  async openedByCode(visitId: string): Promise<boolean> {
    const visit = await findVisit(this.ctx.db, visitId);
    if (visit?.status !== "opening") return false;
    const shipment = await this.shipmentOf(visit);
    const now = this.ctx.clock.now();
    const moved = await this.move(visit, shipment, ["opening"], "open", {
      patch: { opened_at: now, deadline_at: now + this.ctx.config.visitMaxOpenMs },
      extra: { by: "keypad", accessCodeId: visit.access_code_id ?? null },
    });
    return moved !== false;
  }

  /**
   * The courier taps Done: secure the fridge first when a chain opened one, then the access point
   * itself, and believe each only when its device's signed state proves it (DESIGN.md habit 8).
   */
  async secure(courier: UserActor, visitId: string): Promise<VisitView> {
    const visit = await findVisit(this.ctx.db, visitId);
    if (!visit || visit.courier_id !== courier.userId)
      throw new ThresholdError("not_found", "No visit with that id is visible to you.");
    const shipment = await this.shipmentOf(visit);
    if (visit.status === "secured") return toVisitView(visit, shipment.tracking_number);
    if (visit.status !== "open" && visit.status !== "incident") {
      throw new ThresholdError("conflict", `This visit is ${visit.status}; only an open visit can be secured.`);
    }
    const from: VisitStatus[] = visit.status === "incident" ? ["incident"] : ["open"];
    if (innerLeftOpen(visit) && !(await this.chain.secureInner(visit, shipment, from))) {
      return this.current(visitId, shipment);
    }
    const actuator = actuatorForMethod(shipment.method);
    const moved = await this.move(visit, shipment, from, "securing", {
      // What a relock proved before no longer holds once the courier works the door again: if this
      // lock fails, the incident's relocks start over.
      patch: { securing_at: this.ctx.clock.now(), door_secured_at: null },
      issue: { deviceId: visit.lock_device_id, action: actuator.secure },
    });
    const lock = moved ? moved.command : null;
    if (!lock) return this.current(visitId, shipment);

    const outcome = await (await lock.publish()).outcome;
    if (outcome.status === "succeeded" && actuator.isSecured(outcome.ack?.state)) {
      await this.complete(visit, shipment);
      return this.current(visitId, shipment);
    }
    if (outcome.reason === "door_open" && actuator === LOCK) {
      await this.move(visit, shipment, ["securing"], from[0] as VisitStatus, {
        eventType: "visit.secure_refused",
        extra: { reason: "door_open" },
      });
      throw new ThresholdError("door_open", "The door is open. Close it firmly, then tap Done again.");
    }
    const [kind, detail] = secureFailure(actuator, outcome);
    await this.raiseIncident(visit, shipment, ["securing"], kind, detail);
    return this.current(visitId, shipment);
  }

  /**
   * The door is proven locked after the courier's Done (or, for an offline-code visit recorded
   * open, by the lock's own state signed after the opening): the visit is secured and the shipment
   * delivered. An incident stays open until a person resolves it.
   */
  private async complete(visit: VisitRow, shipment: ShipmentRow, from: VisitStatus[] = ["securing"]): Promise<void> {
    const now = this.ctx.clock.now();
    const done = await this.ctx.audit.transaction(async (trx, record) => {
      const patch = { status: "secured", secured_at: now, ended_at: now, updated_at: now } as const;
      if (!(await transition(trx, visit.id, from, patch))) return null;
      await markShipmentDelivered(trx, shipment, { at: now, now, visitId: visit.id });
      await closeClip(trx, visit.id, now, this.ctx.config.media);
      record({
        type: "visit.secured",
        subjectType: "visit",
        subjectId: visit.id,
        siteId: visit.site_id,
        actor: SYSTEM_ACTOR,
        data: visitData(visit, shipment),
      });
      record(shipmentDeliveredEvent(shipment, visit));
      return { recordStop: await this.stage(trx, record, visit, visit.camera_device_id, "record_stop") };
    });
    if (done) await this.publishQuietly(done.recordStop);
  }

  /** Ends a visit that never opened; the lock is told to lock in case an unlock got through unseen. */
  private async abort(visit: VisitRow, shipment: ShipmentRow, reason: string): Promise<VisitView> {
    const now = this.ctx.clock.now();
    await this.move(visit, shipment, ["authorized", "opening"], "aborted", {
      patch: { reason, ended_at: now },
      extra: { reason },
      also: (trx) => closeClip(trx, visit.id, now, this.ctx.config.media),
    });
    if (visit.lock_device_id) {
      await this.ctx.commands
        .send(visit.lock_device_id, actuatorForMethod(shipment.method).secure, { visitId: visit.id })
        .catch((err: unknown) => this.ctx.log.error({ err }, "relock after abort not sent"));
    }
    if (visit.camera_device_id) await this.stopRecording(visit);
    return this.current(visit.id, shipment);
  }

  async raiseIncident(
    visit: VisitRow,
    shipment: ShipmentRow,
    from: VisitStatus[],
    kind: string,
    detail: string,
  ): Promise<boolean> {
    const now = this.ctx.clock.now();
    return this.ctx.audit.transaction(async (trx, record) => {
      const patch = { status: "incident", reason: kind, door_secured_at: null, updated_at: now } as const;
      if (!(await transition(trx, visit.id, from, patch))) return false;
      const incidentId = await insertOpenIncident(trx, {
        visitId: visit.id,
        siteId: visit.site_id,
        kind,
        detail,
        openedAt: now,
      });
      record({
        type: "visit.incident",
        subjectType: "visit",
        subjectId: visit.id,
        siteId: visit.site_id,
        actor: SYSTEM_ACTOR,
        data: visitData(visit, shipment, { incidentId, kind, detail }),
      });
      return true;
    });
  }

  /**
   * The block switch withdrew the code this visit was waiting for: it ends `access_blocked` and
   * the lock is told to lock, as any abort. False when it had already moved on.
   */
  async abortForBlock(visitId: string): Promise<boolean> {
    const visit = await findVisit(this.ctx.db, visitId);
    if (visit?.status !== "authorized" && visit?.status !== "opening") return false;
    const ended = await this.abort(visit, await this.shipmentOf(visit), "access_blocked");
    return ended.status === "aborted";
  }

  /** A visit left authorized or opening by a process that died: it ends aborted, and the lock is told to lock. */
  async abortStale(visitId: string): Promise<void> {
    const visit = await findVisit(this.ctx.db, visitId);
    if (!visit) return;
    // A code visit whose code was never typed ended on its own deadline, not by a crash.
    const reason = visit.access_code_id && visit.status === "opening" ? "code_not_used" : "server_restarted";
    await this.abort(visit, await this.shipmentOf(visit), reason);
  }

  /**
   * The watchdog's retry of a chained visit's fridge lock: true when there is no fridge left open
   * (none in the chain, or now proven locked and closed), so the front door may be secured.
   */
  async relockInner(visitId: string): Promise<boolean> {
    const visit = await findVisit(this.ctx.db, visitId);
    if (!visit || !innerLeftOpen(visit) || !visit.inner_device_id) return true;
    const attempt = await this.ctx.commands.send(visit.inner_device_id, LOCK.secure, { visitId });
    const outcome = await attempt.outcome;
    if (outcome.status !== "succeeded" || !LOCK.isSecured(outcome.ack?.state)) return false;
    await this.chain.markSecured(visit, await this.shipmentOf(visit));
    return true;
  }

  /**
   * An offline-code visit recorded open (reconcileOfflineUse) whose lock has since signed a
   * locked-and-closed state: the door is proven secure after the opening, and the shipment delivered.
   */
  async secureProven(visitId: string): Promise<void> {
    const visit = await findVisit(this.ctx.db, visitId);
    if (visit?.status === "open" && visit.reconciled_at !== null)
      await this.complete(visit, await this.shipmentOf(visit), ["open"]);
  }

  /**
   * The watchdog's retried lock was confirmed locked and closed during an incident. That protects the
   * home; it is no proof the parcel is inside, so the visit stays an incident and nothing is
   * delivered: the courier's Done or a person resolving the incident says that (issue 15 finding 5).
   * The witness stops recording: the door it watched is shut and locked.
   */
  async doorSecuredDuringIncident(visitId: string): Promise<void> {
    const visit = await findVisit(this.ctx.db, visitId);
    if (visit?.status !== "incident") return;
    const shipment = await this.shipmentOf(visit);
    const now = this.ctx.clock.now();
    const done = await this.ctx.audit.transaction(async (trx, record) => {
      const marked = await trx
        .updateTable("visits")
        .set({ door_secured_at: now, updated_at: now })
        .where("id", "=", visit.id)
        .where("status", "=", "incident")
        .where("door_secured_at", "is", null)
        .executeTakeFirst();
      if (marked.numUpdatedRows === 0n) return null;
      await closeClip(trx, visit.id, now, this.ctx.config.media);
      record({
        type: "visit.door_secured",
        subjectType: "visit",
        subjectId: visit.id,
        siteId: visit.site_id,
        actor: SYSTEM_ACTOR,
        data: visitData(visit, shipment, { incidentKind: visit.reason }),
      });
      return { recordStop: await this.stage(trx, record, visit, visit.camera_device_id, "record_stop") };
    });
    if (done) await this.publishQuietly(done.recordStop);
  }

  async get(visitId: string): Promise<{ visit: VisitRow; shipment: ShipmentRow } | null> {
    const visit = await findVisit(this.ctx.db, visitId);
    return visit ? { visit, shipment: await this.shipmentOf(visit) } : null;
  }

  private async stopRecording(visit: VisitRow): Promise<void> {
    await this.ctx.commands
      .send(visit.camera_device_id as string, "record_stop", { visitId: visit.id })
      .catch((err: unknown) => this.ctx.log.warn({ err }, "record_stop not sent"));
  }

  /** Stores a command for one of the visit's devices in the transaction that decides it (none without a device). */
  private async stage(
    trx: Transaction<Database>,
    record: Record_,
    visit: Pick<VisitRow, "id" | "site_id">,
    deviceId: string | null,
    action: CommandAction,
    params: CommandMessage["params"] = {},
  ): Promise<StagedCommand | null> {
    if (!deviceId) return null;
    return this.ctx.commands.stage(
      trx,
      record,
      deviceId,
      action,
      { ...params, visitId: visit.id },
      { siteId: visit.site_id },
    );
  }

  /** Publishes a command nobody waits on (record_stop); a failure is logged, not thrown. */
  private async publishQuietly(command: StagedCommand | null): Promise<void> {
    await command?.publish().catch((err: unknown) => this.ctx.log.warn({ err }, `${command.id} not published`));
  }

  /**
   * Moves the visit from one of `from` to `to` in one audited transaction, with the command the
   * move calls for (`issue`) stored in it; `guard` may veto the move by returning a reason, which
   * is returned instead. False when the visit was no longer in `from`.
   */
  private async move<G extends string = never>(
    visit: VisitRow,
    shipment: ShipmentRow,
    from: VisitStatus[],
    to: VisitStatus,
    options: {
      patch?: Partial<VisitRow>;
      guard?: (trx: Transaction<Database>) => Promise<G | null>;
      /** More work in the move's transaction, after the transition. */
      also?: (trx: Transaction<Database>) => Promise<void>;
      issue?: { deviceId: string | null; action: CommandAction; params?: CommandMessage["params"] };
      eventType?: EventType;
      extra?: Record<string, unknown>;
    } = {},
  ): Promise<false | G | { command: StagedCommand | null }> {
    const now = this.ctx.clock.now();
    return this.ctx.audit.transaction(async (trx, record: Record_) => {
      const veto = options.guard ? await options.guard(trx) : null;
      if (veto) return veto;
      if (!(await transition(trx, visit.id, from, { ...options.patch, status: to, updated_at: now }))) return false;
      await options.also?.(trx);
      record({
        type: options.eventType ?? visitEventType(to),
        subjectType: "visit",
        subjectId: visit.id,
        siteId: visit.site_id,
        actor: SYSTEM_ACTOR,
        data: visitData(visit, shipment, options.extra),
      });
      const command = options.issue
        ? await this.stage(trx, record, visit, options.issue.deviceId, options.issue.action, options.issue.params)
        : null;
      return { command };
    });
  }

  private async current(visitId: string, shipment: ShipmentRow): Promise<VisitView> {
    const row = await findVisit(this.ctx.db, visitId);
    if (!row) throw new Error(`visit ${visitId} vanished`);
    return toVisitView(row, shipment.tracking_number);
  }

  async shipmentOf(visit: Pick<VisitRow, "shipment_id">): Promise<ShipmentRow> {
    return this.ctx.db
      .selectFrom("shipments")
      .selectAll()
      .where("id", "=", visit.shipment_id)
      .executeTakeFirstOrThrow();
  }
}

export { IN_PROGRESS };

function emptyVisit(): Pick<
  VisitRow,
  | "refusals"
  | "reason"
  | "authorized_at"
  | "opened_at"
  | "securing_at"
  | "secured_at"
  | "ended_at"
  | "deadline_at"
  | "clip_from"
  | "clip_until"
> {
  return {
    clip_from: null,
    clip_until: null,
    refusals: null,
    reason: null,
    authorized_at: null,
    opened_at: null,
    securing_at: null,
    secured_at: null,
    ended_at: null,
    deadline_at: null,
  };
}

/** Why an open command did not open; a lock's reasons keep the words they always had. */
function openFailure(actuator: Actuator, outcome: CommandOutcome): string {
  if (actuator === VEHICLE) {
    if (outcome.status === "succeeded") return "trunk_not_unlocked";
    if (outcome.reason === "driving") return "car_moving";
  }
  if (outcome.status === "succeeded") return actuator === LOCK ? "lock_not_unlocked" : "garage_not_open";
  return `${actuator.open}_${outcome.reason ?? outcome.status}`;
}

/** The incident a secure command that proved nothing raises: its kind and a sentence. */
function secureFailure(actuator: Actuator, outcome: CommandOutcome): [string, string] {
  if (outcome.reason === "obstructed") {
    return ["garage_obstructed", "The garage door reversed: something is in the doorway. The close will be retried."];
  }
  if (actuator === LOCK)
    return ["lock_failed", `The lock did not confirm locking (${outcome.reason ?? outcome.status}).`];
  if (actuator === VEHICLE) {
    if (outcome.reason === "door_open") {
      return [
        "trunk_open",
        "The car's trunk (or a door) was left open, so the car could not be locked. Locking will be retried.",
      ];
    }
    return [VEHICLE.secureFailedIncident, `The car did not confirm locking (${outcome.reason ?? outcome.status}).`];
  }
  return [actuator.secureFailedIncident, `The garage did not confirm closing (${outcome.reason ?? outcome.status}).`];
}

/** A chained visit whose fridge was opened and not yet proven locked. */
function innerLeftOpen(visit: VisitRow): boolean {
  return visit.inner_opened_at != null && visit.inner_secured_at == null;
}

/**
 * The car's latest signed report and its owner's block, read in the transaction that would send the
 * unlock: a car that started driving (or was blocked) since the scan gets no unlock.
 */
async function carStoppedSince(
  trx: Transaction<Database>,
  visit: Pick<VisitRow, "lock_device_id" | "access_point_id">,
): Promise<"car_moving" | "car_blocked" | null> {
  const [device, car] = await Promise.all([
    visit.lock_device_id
      ? trx.selectFrom("devices").select("reported_state").where("id", "=", visit.lock_device_id).executeTakeFirst()
      : undefined,
    visit.access_point_id ? findCarOfAccessPoint(trx, visit.access_point_id) : undefined,
  ]);
  if (!car || car.blocked_at !== null) return "car_blocked";
  return reportedState(device?.reported_state ?? null)?.drive === "parked" ? null : "car_moving";
}

/** A refusal that sends the courier to the recipient's fallback says which fallback it is. */
function withFallback(refusals: Refusal[], car: Database["cars"] | undefined): Refusal[] {
  if (!car) return refusals;
  const sentence = fallbackSentence(car);
  return refusals.map((r) => (r.message.includes("fallback") ? { ...r, message: `${r.message} ${sentence}` } : r));
}

async function blockedNow(trx: Transaction<Database>, siteId: string): Promise<"blocked" | null> {
  const site = await trx.selectFrom("sites").select("access_blocked_at").where("id", "=", siteId).executeTakeFirst();
  return site?.access_blocked_at == null ? null : "blocked";
}

async function firstName(trx: Transaction<Database>, userId: string): Promise<string> {
  const user = await trx.selectFrom("users").select("name").where("id", "=", userId).executeTakeFirst();
  return user?.name.split(/\s+/)[0] ?? "";
}

function stringOf(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

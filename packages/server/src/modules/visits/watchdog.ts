import type { AppContext } from "../../context.js";
import { pruneIdempotencyKeys } from "../../http/idempotency.js";
import { PeriodicWorker } from "../../workers/periodic-worker.js";
import { reportedState } from "../devices/schemas.js";
import { newestFreshness } from "../video/service.js";
import { type Actuator, actuatorForDeviceKind, actuatorForMethod } from "./actuators.js";
import { watchFridges } from "./fridge-watch.js";
import { findVisit } from "./repository.js";
import { VisitService } from "./service.js";

/** How often an aborted visit's lock that still reports unlocked is told again to lock. */
const ABORTED_RELOCK_EVERY_MS = 5_000;
/** How often the fridges that took a delivery lately are looked at. */
const FRIDGE_WATCH_EVERY_MS = 5_000;
/** How long after an abort the watchdog keeps making sure its lock ended locked. */
const ABORTED_RELOCK_WINDOW_MS = 10 * 60_000;

/**
 * Keeps every visit moving towards locked, whoever started it and whichever process died.
 * Claims are conditional updates, so any number of processes may run it (no leader).
 */
export class VisitWatchdog extends PeriodicWorker {
  private readonly visits: VisitService;
  private lastPrune = 0;
  private lastFridgeWatch = 0;
  private readonly relockedAt = new Map<string, number>();

  constructor(private readonly ctx: AppContext) {
    super("visit watchdog", ctx.log);
    this.visits = new VisitService(ctx);
  }

  /** One pass; tests call it directly. */
  async tick(): Promise<void> {
    const { db, clock, config } = this.ctx;
    const now = clock.now();

    // A visit still authorized or opening long after any command could have come back: its
    // process died mid-way. It never opened as far as we know; end it, and tell the lock to lock.
    const staleBefore = now - (2 * config.commandTtlMs + 5_000);
    // A keypad-code visit waits in opening for the courier to type (deadline_at is the end of
    // the code's enable period plus a margin); it ends when that deadline has passed.
    const stuck = await db
      .selectFrom("visits")
      .select("id")
      .where("status", "in", ["authorized", "opening"])
      .where("updated_at", "<", staleBefore)
      .where((eb) =>
        eb.or([
          eb("access_code_id", "is", null),
          eb("status", "=", "authorized"),
          eb("deadline_at", "is", null),
          eb("deadline_at", "<", now),
        ]),
      )
      .execute();
    for (const { id } of stuck) await this.visits.abortStale(id);

    // The courier never secured in time.
    const overdue = await db
      .selectFrom("visits")
      .select("id")
      .where("status", "=", "open")
      .where("deadline_at", "<", now)
      .execute();
    for (const { id } of overdue) {
      const visit = await findVisit(db, id);
      if (!visit) continue;
      const shipment = await this.visits.shipmentOf(visit);
      const actuator = actuatorForMethod(shipment.method);
      // An offline-code visit was recorded after the fact: what is missing is the lock's proof.
      const [kind, detail] =
        visit.reconciled_at !== null
          ? [
              "offline_visit_unsecured",
              "An offline code opened the door; since then the lock does not report itself locked and closed.",
            ]
          : ["not_secured", `The courier did not secure the ${actuator.noun} in time.`];
      if (await this.visits.raiseIncident(visit, shipment, ["open"], kind, detail)) {
        await this.relock(visit.id, visit.lock_device_id, now, actuator);
      }
    }

    // The witness went dark while the door is open (DESIGN.md section 7): the recipient is told at
    // once, and the visit takes the incident path. The courier may still secure it.
    const watched = await db
      .selectFrom("visits")
      .select(["id", "camera_device_id"])
      .where("status", "=", "open")
      .where("camera_device_id", "is not", null)
      .execute();
    for (const { id, camera_device_id } of watched) {
      const video = await newestFreshness(this.ctx, camera_device_id as string);
      if (video.freshness === "live") continue;
      const visit = await findVisit(db, id);
      if (!visit) continue;
      const lastFrame = video.lastFrameAt === null ? "never" : new Date(video.lastFrameAt).toISOString();
      await this.visits.raiseIncident(
        visit,
        await this.visits.shipmentOf(visit),
        ["open"],
        "camera_lost",
        `The witness camera's video stopped during the visit (last frame ${lastFrame}).`,
      );
    }

    // Securing that never finished (its process died between lock and answer).
    const hung = await db
      .selectFrom("visits")
      .select("id")
      .where("status", "=", "securing")
      .where("updated_at", "<", staleBefore)
      .execute();
    for (const { id } of hung) {
      const visit = await findVisit(db, id);
      if (!visit) continue;
      await this.visits.raiseIncident(
        visit,
        await this.visits.shipmentOf(visit),
        ["securing"],
        "lock_failed",
        "Locking was not confirmed.",
      );
    }

    // Open incidents: keep trying the lock (or the garage door); the visit is secured once it confirms.
    const incidents = await db
      .selectFrom("visits")
      .innerJoin("shipments", "shipments.id", "visits.shipment_id")
      .select(["visits.id", "visits.lock_device_id", "shipments.method"])
      .where("visits.status", "=", "incident")
      .execute();
    for (const visit of incidents) {
      if (now - (this.relockedAt.get(visit.id) ?? 0) >= this.ctx.config.incidentRetryMs)
        await this.relock(visit.id, visit.lock_device_id, now, actuatorForMethod(visit.method));
    }

    // An aborted visit may have unlocked the door unseen (a crash after the unlock went out), and
    // the lock may have been offline when told to lock. Until it reports locked, tell it again.
    const aborted = await db
      .selectFrom("visits")
      .innerJoin("devices", "devices.id", "visits.lock_device_id")
      .select(["visits.id", "visits.lock_device_id", "devices.reported_state", "devices.kind"])
      .where("visits.status", "=", "aborted")
      .where("visits.ended_at", ">", now - ABORTED_RELOCK_WINDOW_MS)
      .execute();
    for (const visit of aborted) {
      const actuator = actuatorForDeviceKind(visit.kind);
      const state = reportedState(visit.reported_state);
      if (actuator.needsSecuring(state) && now - (this.relockedAt.get(visit.id) ?? 0) >= ABORTED_RELOCK_EVERY_MS) {
        await this.relock(visit.id, visit.lock_device_id, now, actuator, false);
      }
    }

    // Fridges that took a delivery lately: warming or left open raises an alert. Temperatures
    // move slowly, so every few seconds is plenty.
    if (now - this.lastFridgeWatch >= FRIDGE_WATCH_EVERY_MS) {
      this.lastFridgeWatch = now;
      await watchFridges(this.ctx);
    }

    if (now - this.lastPrune > 3_600_000) {
      this.lastPrune = now;
      await pruneIdempotencyKeys(this.ctx);
    }
  }

  private async relock(
    visitId: string,
    lockId: string | null,
    now: number,
    actuator: Actuator,
    securesVisit = true,
  ): Promise<void> {
    if (!lockId) return;
    this.relockedAt.set(visitId, now);
    // Relocks wait for the lock's answer; they run beside the pass so one slow lock holds up nothing.
    this.runBeside(
      this.tryLock(visitId, lockId, actuator, securesVisit).catch((err: unknown) =>
        this.ctx.log.error({ err, visitId }, "relock failed"),
      ),
    );
  }

  private async tryLock(visitId: string, lockId: string, actuator: Actuator, securesVisit: boolean): Promise<void> {
    // A chained visit's fridge is locked first; the visit is secured only when both are.
    if (securesVisit && !(await this.visits.relockInner(visitId))) return;
    const attempt = await this.ctx.commands.send(lockId, actuator.secure, { visitId });
    const outcome = await attempt.outcome;
    if (securesVisit && outcome.status === "succeeded" && actuator.isSecured(outcome.ack?.state)) {
      await this.visits.secureAfterIncident(visitId);
    }
  }
}

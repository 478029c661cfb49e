import type { StateMessage } from "@threshold/protocol";
import type { AppContext } from "../../context.js";
import { pruneIdempotencyKeys } from "../../http/idempotency.js";
import { PeriodicWorker } from "../../workers/periodic-worker.js";
import { newestFreshness } from "../video/service.js";
import { owedAbortRelocks, settleAbortRelock } from "./aborted-relock.js";
import { type Actuator, actuatorForMethod } from "./actuators.js";
import { watchFridges } from "./fridge-watch.js";
import { findVisit } from "./repository.js";
import { VisitService } from "./service.js";

/** How often an aborted visit's lock that still reports unlocked is told again to lock. */
const ABORTED_RELOCK_EVERY_MS = 5_000;
/** How often the fridges that took a delivery lately are looked at. */
const FRIDGE_WATCH_EVERY_MS = 5_000;

/**
 * Keeps every visit moving towards locked, whoever started it and whichever process died.
 * Claims are conditional updates, so any number of processes may run it (no leader). A lock owed a
 * relock (an incident's, or an aborted visit's) is told the moment it connects, as well as on the
 * retry period: a relock sent while it was away went nowhere.
 */
export class VisitWatchdog extends PeriodicWorker {
  private readonly visits: VisitService;
  private lastPrune = 0;
  private lastFridgeWatch = 0;
  private readonly relockedAt = new Map<string, number>();
  /** Devices this process has heard from since it started or since they last went away. */
  private readonly connected = new Set<string>();
  private readonly onDeviceState = (message: StateMessage) => {
    if (!message.online) {
      this.connected.delete(message.deviceId);
      return;
    }
    if (this.connected.has(message.deviceId)) return;
    this.connected.add(message.deviceId);
    this.runBeside(this.relockOnConnect(message.deviceId));
  };

  constructor(private readonly ctx: AppContext) {
    super("visit watchdog", ctx.log);
    this.visits = new VisitService(ctx);
  }

  /** Relocks owed to a lock go out when it connects; call before the first pass. */
  listen(): void {
    this.ctx.gateway.on("deviceState", this.onDeviceState);
  }

  override async stop(): Promise<void> {
    this.ctx.gateway.off("deviceState", this.onDeviceState);
    await super.stop();
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
      // Video the server was down for could not reach it: that gap is the restart's, not the camera's.
      const { startedAt } = this.ctx;
      const downThrough =
        visit.opened_at !== null &&
        visit.opened_at < startedAt &&
        (video.lastFrameAt === null || video.lastFrameAt < startedAt);
      const [kind, detail] = downThrough
        ? [
            "server_restarted",
            `The server restarted during the visit: no video reached it between ${lastFrame} and its restart at ${new Date(startedAt).toISOString()}.`,
          ]
        : ["camera_lost", `The witness camera's video stopped during the visit (last frame ${lastFrame}).`];
      await this.visits.raiseIncident(visit, await this.visits.shipmentOf(visit), ["open"], kind, detail);
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
      // Left securing before this process started: the server died waiting for the lock's answer.
      const [kind, detail] =
        visit.updated_at < this.ctx.startedAt
          ? ["server_restarted", "The server restarted while locking; locking was not confirmed."]
          : ["lock_failed", "Locking was not confirmed."];
      await this.visits.raiseIncident(visit, await this.visits.shipmentOf(visit), ["securing"], kind, detail);
    }

    // Open incidents whose door is not yet proven secured: keep trying the lock (or the garage door).
    for (const visit of await this.incidentsOwingRelock()) {
      if (now - (this.relockedAt.get(visit.id) ?? 0) >= this.ctx.config.incidentRetryMs)
        await this.relock(visit.id, visit.lockId, now, visit.actuator);
    }

    // An aborted visit's lock that still reports unlocked, nobody having taken the door over since.
    for (const owed of await owedAbortRelocks(db, now)) {
      if (now - (this.relockedAt.get(owed.visitId) ?? 0) >= ABORTED_RELOCK_EVERY_MS) {
        await this.relock(owed.visitId, owed.lockId, now, owed.actuator, false);
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

  /** A lock just connected: every relock owed to it goes out now, whatever the retry period says. */
  private async relockOnConnect(lockId: string): Promise<void> {
    const now = this.ctx.clock.now();
    for (const visit of await this.incidentsOwingRelock(lockId)) {
      await this.relock(visit.id, visit.lockId, now, visit.actuator);
    }
    for (const owed of await owedAbortRelocks(this.ctx.db, now, lockId)) {
      await this.relock(owed.visitId, owed.lockId, now, owed.actuator, false);
    }
  }

  /** Visits in incident whose door no relock has proven secured yet (of one lock, when given). */
  private async incidentsOwingRelock(lockId?: string) {
    let query = this.ctx.db
      .selectFrom("visits")
      .innerJoin("shipments", "shipments.id", "visits.shipment_id")
      .select(["visits.id", "visits.lock_device_id", "shipments.method"])
      .where("visits.status", "=", "incident")
      .where("visits.door_secured_at", "is", null);
    if (lockId) query = query.where("visits.lock_device_id", "=", lockId);
    const rows = await query.execute();
    return rows.map((row) => ({ id: row.id, lockId: row.lock_device_id, actuator: actuatorForMethod(row.method) }));
  }

  private async relock(
    visitId: string,
    lockId: string | null,
    now: number,
    actuator: Actuator,
    incident = true,
  ): Promise<void> {
    if (!lockId) return;
    this.relockedAt.set(visitId, now);
    // Relocks wait for the lock's answer; they run beside the pass so one slow lock holds up nothing.
    this.runBeside(
      this.tryLock(visitId, lockId, actuator, incident).catch((err: unknown) =>
        this.ctx.log.error({ err, visitId }, "relock failed"),
      ),
    );
  }

  private async tryLock(visitId: string, lockId: string, actuator: Actuator, incident: boolean): Promise<void> {
    // A chained visit's fridge is locked first; the door counts as secured only when both are.
    if (incident && !(await this.visits.relockInner(visitId))) return;
    const attempt = await this.ctx.commands.send(lockId, actuator.secure, { visitId });
    const outcome = await attempt.outcome;
    if (outcome.status !== "succeeded") return;
    if (incident && actuator.isSecured(outcome.ack?.state)) {
      await this.visits.doorSecuredDuringIncident(visitId);
    } else if (!incident && !actuator.needsSecuring(outcome.ack?.state)) {
      await settleAbortRelock(this.ctx.db, visitId, this.ctx.clock.now());
    }
  }
}

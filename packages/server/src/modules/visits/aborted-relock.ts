import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.js";
import { reportedState } from "../devices/index.js";
import { type Actuator, actuatorForDeviceKind } from "./actuators.js";

/** How long after an abort the watchdog keeps making sure its lock ended locked. */
export const ABORTED_RELOCK_WINDOW_MS = 10 * 60_000;

export interface OwedRelock {
  visitId: string;
  lockId: string;
  actuator: Actuator;
}

/**
 * The aborted visits whose lock is still owed a relock: the visit may have unlocked the door unseen
 * (a crash after the unlock went out), or the lock may have been offline when the abort told it to
 * lock. The debt ends — for good, written in `relock_settled_at` so every process and a restart
 * agree — once the lock has reported locked since the abort, or once anyone later took the door
 * over (an owner's unlock, a guest key, another visit): the watchdog never locks against a newer,
 * authorized unlock (issue 15 finding 3). `lockId` narrows it to one lock (it just connected).
 */
export async function owedAbortRelocks(db: Kysely<Database>, now: number, lockId?: string): Promise<OwedRelock[]> {
  let query = db
    .selectFrom("visits")
    .innerJoin("devices", "devices.id", "visits.lock_device_id")
    .select([
      "visits.id",
      "visits.lock_device_id",
      "visits.ended_at",
      "devices.reported_state",
      "devices.last_seen_at",
      "devices.kind",
    ])
    .where("visits.status", "=", "aborted")
    .where("visits.ended_at", ">", now - ABORTED_RELOCK_WINDOW_MS)
    .where("visits.relock_settled_at", "is", null);
  if (lockId) query = query.where("visits.lock_device_id", "=", lockId);
  const owed: OwedRelock[] = [];
  for (const row of await query.execute()) {
    const abortedAt = row.ended_at ?? 0;
    const lock = row.lock_device_id as string;
    const actuator = actuatorForDeviceKind(row.kind);
    const needsSecuring = actuator.needsSecuring(reportedState(row.reported_state));
    // A report older than the abort proves nothing: the visit's unlock may have landed after it.
    const reportedSecureSince = !needsSecuring && row.last_seen_at !== null && row.last_seen_at >= abortedAt;
    if (reportedSecureSince || (await settledSince(db, row.id, lock, actuator, abortedAt))) {
      await settleAbortRelock(db, row.id, now);
    } else if (needsSecuring) {
      owed.push({ visitId: row.id, lockId: lock, actuator });
    }
  }
  return owed;
}

/** The owed relock is over: the lock proved locked, or the door is someone else's to open now. */
export async function settleAbortRelock(db: Kysely<Database>, visitId: string, now: number): Promise<void> {
  await db
    .updateTable("visits")
    .set({ relock_settled_at: now })
    .where("id", "=", visitId)
    .where("relock_settled_at", "is", null)
    .execute();
}

/**
 * Since the abort: a relock of this visit the lock confirmed, or any command of anyone else that
 * is not a relock (a lock command never unlocks anything), or a later visit at that lock.
 */
async function settledSince(
  db: Kysely<Database>,
  visitId: string,
  lockId: string,
  actuator: Actuator,
  abortedAt: number,
): Promise<boolean> {
  const commands = await db
    .selectFrom("commands")
    .select(["action", "params", "status"])
    .where("device_id", "=", lockId)
    .where("issued_at", ">=", abortedAt)
    .execute();
  for (const command of commands) {
    const ours = visitIdOf(command.params) === visitId;
    if (ours && command.action === actuator.secure && command.status === "succeeded") return true;
    if (!ours && command.action !== actuator.secure) return true;
  }
  const laterVisit = await db
    .selectFrom("visits")
    .select("id")
    .where("lock_device_id", "=", lockId)
    .where("requested_at", ">=", abortedAt)
    .where("id", "!=", visitId)
    .where("status", "!=", "refused")
    .executeTakeFirst();
  return laterVisit !== undefined;
}

function visitIdOf(params: string): unknown {
  try {
    const parsed: unknown = JSON.parse(params);
    return typeof parsed === "object" && parsed !== null ? (parsed as { visitId?: unknown }).visitId : undefined;
  } catch {
    return undefined;
  }
}

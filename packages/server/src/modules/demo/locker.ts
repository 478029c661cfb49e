import { ThresholdError } from "@threshold/core";
import type { AppContext } from "../../context.js";
import type { Actor } from "../../http/actor.js";
import { requirePerson } from "../sites/site-access.js";

export type DemoLockerAction = "put" | "take" | "close";

/**
 * Hands at a simulated locker bank: put a parcel in, take it out, close the door. Only `threshold
 * demo` answers (its fleet runs in its process), and, like the demo keypad, only for someone
 * signed in to it: anyone in the lobby could reach the doors, but not an anonymous caller on the
 * internet. What the bank then sees is reported by its controller, signed, like any locker.
 */
export async function handAtDemoLocker(
  ctx: Pick<AppContext, "db" | "demoLocker">,
  actor: Actor,
  bankId: string,
  compartment: number,
  action: DemoLockerAction,
): Promise<void> {
  const hands = ctx.demoLocker;
  if (!hands) throw new ThresholdError("not_found", "This is not a demo server.");
  requirePerson(actor, "use the demo's hands at a locker");
  const bank = await ctx.db
    .selectFrom("locker_banks")
    .select("controller_device_id")
    .where("id", "=", bankId)
    .executeTakeFirst();
  if (!bank || !(await hands(bank.controller_device_id, compartment, action))) {
    throw new ThresholdError("conflict", "No such demo locker, or that compartment is not open.");
  }
}

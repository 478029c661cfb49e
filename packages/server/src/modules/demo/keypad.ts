import { ThresholdError } from "@threshold/core";
import type { AppContext, DemoKeypadVerdict } from "../../context.js";
import type { Actor } from "../../http/actor.js";
import { findActiveDevice } from "../devices/repository.js";
import { changeableOrNotFound, requirePerson } from "../sites/site-access.js";

/**
 * Types a code on a simulated lock's keypad, for the web app's demo keypad: a stand-in for fingers
 * at the door, so a one-time code or a guest's PIN can be tried from a browser. Only `threshold
 * demo` answers (its fleet runs in its process); only the lock's owner may type, as only someone at
 * their door could. What the keypad does is reported by the lock itself, signed, like any keypad.
 */
export async function typeOnDemoKeypad(
  ctx: Pick<AppContext, "db" | "demoKeypad">,
  actor: Actor,
  deviceId: string,
  code: string,
): Promise<DemoKeypadVerdict> {
  if (!ctx.demoKeypad) throw new ThresholdError("not_found", "This server is not a demo.");
  const user = requirePerson(actor, "type on a demo keypad");
  const device = changeableOrNotFound(user, await findActiveDevice(ctx.db, deviceId), (d) => d.owner_id, "device");
  if (device.kind !== "lock") {
    throw new ThresholdError("device_kind_mismatch", `Only locks have a keypad; this device is a ${device.kind}.`);
  }
  const verdict = await ctx.demoKeypad(device.id, code);
  if (!verdict) throw new ThresholdError("not_found", "This lock is not one of the demo's simulated locks.");
  return verdict;
}

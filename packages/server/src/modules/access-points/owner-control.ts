import { ThresholdError } from "@threshold/core";
import Type, { type Static } from "typebox";
import { actorOf } from "../../audit/actor.js";
import type { AppContext } from "../../context.js";
import type { Actor } from "../../http/actor.js";
import { findActiveDevice } from "../devices/repository.js";
import { changeableOrNotFound, requirePerson } from "../sites/site-access.js";
import { actuatorForDeviceKind } from "../visits/actuators.js";
import { findActiveAccessPoint } from "./repository.js";

export const OWNER_ACTIONS = ["open", "secure"] as const;
export type OwnerAction = (typeof OWNER_ACTIONS)[number];

export const OwnerControlResult = Type.Object({
  action: Type.Enum(OWNER_ACTIONS),
  status: Type.Enum(["succeeded", "failed", "rejected", "timed_out"] as const, {
    description: "The device's answer to the signed command (timed_out: it did not answer; it may be offline).",
  }),
  reason: Type.Union([Type.String(), Type.Null()], { description: "Why it failed: jammed, door_open, no_ack…" }),
  commandId: Type.String(),
});
export type OwnerControlResult = Static<typeof OwnerControlResult>;

/**
 * The owner opens or secures their own door from the app: a signed command like any other, in the
 * audit log under their name. DESIGN.md rule 1 governs couriers; the owner needs no scan, but the
 * lock still checks the signature, and a keypad lockout never blocks it (docs/guest-keys.md).
 */
export async function ownerControl(
  ctx: Pick<AppContext, "db" | "audit" | "commands">,
  actor: Actor,
  accessPointId: string,
  action: OwnerAction,
): Promise<OwnerControlResult> {
  const user = requirePerson(actor, action === "open" ? "open doors" : "lock doors");
  const point = changeableOrNotFound(
    user,
    await findActiveAccessPoint(ctx.db, accessPointId),
    (ap) => ap.owner_id,
    "access point",
  );
  const device = await findActiveDevice(ctx.db, point.actuator_device_id);
  if (!device || (device.kind !== "lock" && device.kind !== "garage_opener")) {
    throw new ThresholdError("device_kind_mismatch", "This access point's actuator cannot be operated from the app.");
  }
  const actuator = actuatorForDeviceKind(device.kind);
  const command = action === "open" ? actuator.open : actuator.secure;
  const attempt = await ctx.commands.send(device.id, command, {}, { siteId: point.site_id });
  const outcome = await attempt.outcome;
  await ctx.audit.transaction(async (_trx, record) => {
    record({
      type: `access_point.${action === "open" ? "opened" : "secured"}_by_owner`,
      subjectType: "access_point",
      subjectId: point.id,
      siteId: point.site_id,
      actor: actorOf(actor),
      data: { commandId: attempt.id, deviceId: device.id, status: outcome.status, reason: outcome.reason ?? null },
    });
  });
  return { action, status: outcome.status, reason: outcome.reason ?? null, commandId: attempt.id };
}

import { type AuditActor, SYSTEM_ACTOR } from "../../audit/audit-log.js";
import type { AppContext } from "../../context.js";

export interface RotationResult {
  kid: string;
  publicKey: string;
  devices: { total: number; confirmed: number; pending: number };
}

/**
 * Makes a new signing key current and tells every device, each in a `rotate_key` command signed
 * by the key that device still trusts. Devices that do not confirm now (offline) are caught up
 * by the gateway when they next report their state.
 */
export async function rotateServerKey(
  ctx: Pick<AppContext, "db" | "keyring" | "commands" | "log" | "audit">,
  actor: AuditActor = SYSTEM_ACTOR,
): Promise<RotationResult> {
  await ctx.audit.transaction(async (trx, record) => {
    const { previous, next } = await ctx.keyring.rotate(trx);
    record({
      type: "server_key.rotated",
      subjectType: "server_key",
      subjectId: next.kid,
      actor,
      data: { kid: next.kid, publicKey: next.publicKey, previousKid: previous.kid },
    });
  });
  const next = ctx.keyring.trustedByDevices()[0];
  if (!next) throw new Error("the keyring has no current key after rotation");
  const devices = await ctx.db
    .selectFrom("devices")
    .select(["id", "trusted_kid"])
    .where("removed_at", "is", null)
    .where("trusted_kid", "!=", next.kid)
    .execute();
  const outcomes = await Promise.all(
    devices.map(async (device) => {
      try {
        const attempt = await ctx.commands.send(
          device.id,
          "rotate_key",
          { newKid: next.kid, newPublicKey: next.publicKey },
          { signingKid: device.trusted_kid },
        );
        return (await attempt.outcome).status === "succeeded";
      } catch (err) {
        ctx.log.warn({ err, deviceId: device.id }, "rotation not sent; the device must be paired again");
        return false;
      }
    }),
  );
  const confirmed = outcomes.filter(Boolean).length;
  ctx.log.info({ kid: next.kid, devices: devices.length, confirmed }, "server key rotated");
  return {
    kid: next.kid,
    publicKey: next.publicKey,
    devices: { total: devices.length, confirmed, pending: devices.length - confirmed },
  };
}

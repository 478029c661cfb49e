import { notFound, randomSecret, ThresholdError } from "@threshold/core";
import { actorOf } from "../../audit/actor.js";
import type { AppContext } from "../../context.js";
import type { Actor } from "../../http/actor.js";
import { visibleOrNotFound } from "../../http/ownership.js";
import { activeAccessPointsActuatedBy, detachCameraFromActiveAccessPoints } from "../access-points/repository.js";
import { hashSecret } from "../auth/tokens.js";
import { canRead, changeableOrNotFound, readableSite, requirePerson } from "../sites/site-access.js";
import { freshnessOfCameras } from "../video/service.js";
import { deviceLiveness } from "./liveness.js";
import {
  findActiveDevice,
  listActiveDevicesOfSite,
  renameDevice as renameDeviceRow,
  retireDevice,
} from "./repository.js";
import { type Device, type DeviceRow, toDevice } from "./schemas.js";

type Ctx = Pick<AppContext, "db" | "clock" | "config" | "deviceLink" | "audit">;

/** Devices as the API shows them, cameras with their video's freshness. */
export async function deviceViews(
  ctx: Pick<AppContext, "db" | "clock" | "config">,
  rows: DeviceRow[],
): Promise<Device[]> {
  const liveness = deviceLiveness(ctx);
  const video = await freshnessOfCameras(
    ctx,
    rows.filter((row) => row.kind === "camera").map((row) => row.id),
  );
  return rows.map((row) => toDevice(row, liveness, video.get(row.id)));
}

export async function listSiteDevices(ctx: Ctx, actor: Actor, siteId: string): Promise<Device[]> {
  const user = requirePerson(actor, "read devices");
  const site = await readableSite(ctx.db, user, siteId);
  return deviceViews(ctx, await listActiveDevicesOfSite(ctx.db, site.id));
}

export async function getDevice(ctx: Ctx, actor: Actor, deviceId: string): Promise<Device> {
  const user = requirePerson(actor, "read devices");
  const row = visibleOrNotFound(await findActiveDevice(ctx.db, deviceId), (d) => canRead(user, d.owner_id), "device");
  const [device] = await deviceViews(ctx, [row]);
  return device as Device;
}

export async function renameDevice(ctx: Ctx, actor: Actor, deviceId: string, name: string): Promise<Device> {
  const user = requirePerson(actor, "rename devices");
  const device = changeableOrNotFound(user, await findActiveDevice(ctx.db, deviceId), (d) => d.owner_id, "device");
  const newName = name.trim();
  await ctx.audit.transaction(async (trx, record) => {
    if (!(await renameDeviceRow(trx, device.id, newName))) throw notFound("device");
    record({
      type: "device.renamed",
      subjectType: "device",
      subjectId: device.id,
      siteId: device.site_id,
      actor: actorOf(actor),
      data: { name: newName, previousName: device.name },
    });
  });
  return getDevice(ctx, actor, device.id);
}

/**
 * Removes a device for good: it disappears from the API, its MQTT password stops working (the hash
 * is overwritten with one of a secret nobody holds) and its broker connection is dropped. A device
 * that opens an access point stays until that access point is removed, so no access point is ever
 * left without an actuator; a camera is simply unlinked from its access points.
 */
export async function removeDevice(ctx: Ctx, actor: Actor, deviceId: string): Promise<void> {
  const user = requirePerson(actor, "remove devices");
  const device = changeableOrNotFound(user, await findActiveDevice(ctx.db, deviceId), (d) => d.owner_id, "device");
  await ctx.audit.transaction(async (trx, record) => {
    // Retire first: the write holds the row, so an access point being created on this device
    // either committed already (and is found below) or waits and then finds the device gone.
    if (!(await retireDevice(trx, device.id, ctx.clock.now(), hashSecret(randomSecret(32))))) {
      throw notFound("device");
    }
    const actuated = await activeAccessPointsActuatedBy(trx, device.id);
    if (actuated.length > 0) {
      const names = actuated.map((ap) => `"${ap.name}" (${ap.id})`).join(", ");
      throw new ThresholdError(
        "conflict",
        `This device opens access point ${names}; remove the access point first, then the device.`,
        { accessPointIds: actuated.map((ap) => ap.id) },
      );
    }
    await detachCameraFromActiveAccessPoints(trx, device.id);
    record({
      type: "device.removed",
      subjectType: "device",
      subjectId: device.id,
      siteId: device.site_id,
      actor: actorOf(actor),
      data: { kind: device.kind, name: device.name },
    });
  });
  ctx.deviceLink.disconnect(device.id);
}

import { ACTUATOR_FOR, newId, notFound, ThresholdError } from "@threshold/core";
import { actorOf } from "../../audit/actor.js";
import type { AppContext } from "../../context.js";
import type { Actor } from "../../http/actor.js";
import { foundOrNotFound, visibleOrNotFound } from "../../http/ownership.js";
import type { Device, DeviceRow } from "../devices/index.js";
import { holdActiveDevices, listActiveDevicesByIds } from "../devices/repository.js";
import { deviceViews } from "../devices/service.js";
import { canRead, changeableOrNotFound, changeableSite, readableSite, requirePerson } from "../sites/site-access.js";
import { actuatorReadings } from "./readings.js";
import {
  camerasOfAccessPoints,
  findActiveAccessPoint,
  insertAccessPoint,
  listActiveAccessPointsOfSite,
  markAccessPointRemoved,
} from "./repository.js";
import { type AccessPoint, type AccessPointDetail, type CreateAccessPointBody, toAccessPoint } from "./schemas.js";

type Ctx = Pick<AppContext, "db" | "clock" | "config" | "audit">;

/**
 * Links an actuator and witness cameras, all paired at this site, into something a courier may open.
 * A device elsewhere is answered "not found" like a missing one; a device of the wrong kind is named.
 */
export async function createAccessPoint(
  ctx: Ctx,
  actor: Actor,
  siteId: string,
  body: CreateAccessPointBody,
): Promise<AccessPointDetail> {
  const user = requirePerson(actor, "create access points");
  const site = await changeableSite(ctx.db, user, siteId);
  const cameraIds = body.cameraDeviceIds ?? [];
  const devices = new Map(
    (await listActiveDevicesByIds(ctx.db, [body.actuatorDeviceId, ...cameraIds]))
      .filter((device) => device.site_id === site.id)
      .map((device) => [device.id, device]),
  );
  const deviceAtSite = (id: string, field: string): DeviceRow => {
    const device = devices.get(id);
    if (!device) {
      throw new ThresholdError("not_found", `${field}: no device ${id} is paired at this site; pair it here first.`);
    }
    return device;
  };

  const actuator = deviceAtSite(body.actuatorDeviceId, "actuatorDeviceId");
  const expected = ACTUATOR_FOR[body.kind];
  if (!expected.includes(actuator.kind as (typeof expected)[number])) {
    throw new ThresholdError(
      "device_kind_mismatch",
      `A ${body.kind} is opened by a ${expected.join(" or ")}, but ${actuator.id} is a ${actuator.kind}; choose a ${expected.join(" or ")} of this site.`,
      { field: "actuatorDeviceId", expected: [...expected], actual: actuator.kind },
    );
  }
  for (const id of cameraIds) {
    const camera = deviceAtSite(id, "cameraDeviceIds");
    if (camera.kind !== "camera") {
      throw new ThresholdError(
        "device_kind_mismatch",
        `cameraDeviceIds must name cameras, but ${camera.id} is a ${camera.kind}; choose cameras of this site.`,
        { field: "cameraDeviceIds", expected: ["camera"], actual: camera.kind },
      );
    }
  }

  const via = await chainedBehind(ctx, site.id, body);

  const now = ctx.clock.now();
  const id = newId("accessPoint", now);
  const name = body.name.trim();
  await ctx.audit.transaction(async (trx, record) => {
    // The devices may have been removed since they were read; holding their rows settles it.
    const deviceIds = [actuator.id, ...cameraIds];
    if ((await holdActiveDevices(trx, site.id, deviceIds)) !== deviceIds.length) {
      throw new ThresholdError("not_found", "A device named here was removed meanwhile; pair it again, then retry.");
    }
    await insertAccessPoint(
      trx,
      {
        id,
        site_id: site.id,
        kind: body.kind,
        name,
        actuator_device_id: actuator.id,
        created_at: now,
        removed_at: null,
        via_access_point_id: via,
      },
      cameraIds,
    );
    record({
      type: "access_point.created",
      subjectType: "access_point",
      subjectId: id,
      siteId: site.id,
      actor: actorOf(actor),
      data: {
        kind: body.kind,
        name,
        actuatorDeviceId: actuator.id,
        cameraDeviceIds: [...cameraIds],
        ...(via ? { viaAccessPointId: via } : {}),
      },
    });
  });
  return detail(ctx, foundOrNotFound(await findActiveAccessPoint(ctx.db, id), "access point"));
}

/** A fridge may sit behind a front door of the same site; nothing else chains (docs/garage-and-fridge.md). */
async function chainedBehind(ctx: Ctx, siteId: string, body: CreateAccessPointBody): Promise<string | null> {
  if (body.viaAccessPointId === undefined) return null;
  if (body.kind !== "fridge") {
    throw new ThresholdError(
      "invalid_request",
      "viaAccessPointId is for fridges only: the front door they sit behind.",
    );
  }
  const outer = await findActiveAccessPoint(ctx.db, body.viaAccessPointId);
  if (!outer || outer.site_id !== siteId) {
    throw new ThresholdError("not_found", "viaAccessPointId: no access point with that id at this site.");
  }
  if (outer.kind !== "front_door") {
    throw new ThresholdError(
      "invalid_request",
      `viaAccessPointId must name a front door, but it is a ${outer.kind}; a fridge sits behind a front door.`,
    );
  }
  return outer.id;
}

export async function listAccessPoints(ctx: Ctx, actor: Actor, siteId: string): Promise<AccessPoint[]> {
  const user = requirePerson(actor, "read access points");
  const site = await readableSite(ctx.db, user, siteId);
  const rows = await listActiveAccessPointsOfSite(ctx.db, site.id);
  const cameras = await camerasOfAccessPoints(
    ctx.db,
    rows.map((row) => row.id),
  );
  return rows.map((row) => toAccessPoint(row, cameras.get(row.id) ?? []));
}

export async function getAccessPoint(ctx: Ctx, actor: Actor, id: string): Promise<AccessPointDetail> {
  const user = requirePerson(actor, "read access points");
  const row = visibleOrNotFound(
    await findActiveAccessPoint(ctx.db, id),
    (ap) => canRead(user, ap.owner_id),
    "access point",
  );
  return detail(ctx, row);
}

export async function removeAccessPoint(ctx: Ctx, actor: Actor, id: string): Promise<void> {
  const user = requirePerson(actor, "remove access points");
  const row = changeableOrNotFound(user, await findActiveAccessPoint(ctx.db, id), (ap) => ap.owner_id, "access point");
  await ctx.audit.transaction(async (trx, record) => {
    if (!(await markAccessPointRemoved(trx, row.id, ctx.clock.now()))) throw notFound("access point");
    record({
      type: "access_point.removed",
      subjectType: "access_point",
      subjectId: row.id,
      siteId: row.site_id,
      actor: actorOf(actor),
      data: { kind: row.kind, name: row.name },
    });
  });
}

/** The access point with its actuator's and cameras' current state. */
async function detail(
  ctx: Ctx,
  row: NonNullable<Awaited<ReturnType<typeof findActiveAccessPoint>>>,
): Promise<AccessPointDetail> {
  const cameraIds = (await camerasOfAccessPoints(ctx.db, [row.id])).get(row.id) ?? [];
  const devices = new Map(
    (await listActiveDevicesByIds(ctx.db, [row.actuator_device_id, ...cameraIds])).map((d) => [d.id, d]),
  );
  // Removal of an actuator is refused while an access point uses it, so it is always there.
  const actuator = devices.get(row.actuator_device_id);
  if (!actuator) throw new Error(`access point ${row.id} has no active actuator ${row.actuator_device_id}`);
  const cameras = cameraIds.flatMap((cameraId) => devices.get(cameraId) ?? []);
  const [actuatorView, ...cameraViews] = await deviceViews(ctx, [actuator, ...cameras]);
  const { owner_id: _owner, ...accessPoint } = row;
  const view = actuatorView as Device;
  return {
    ...toAccessPoint(accessPoint, cameraIds),
    actuator: view,
    cameras: cameraViews,
    ...actuatorReadings(row.kind, view, ctx.config.fridge.maxTemperatureC),
  };
}

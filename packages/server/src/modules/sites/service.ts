import { newId, ThresholdError } from "@threshold/core";
import { actorOf } from "../../audit/actor.js";
import type { AppContext } from "../../context.js";
import type { Actor } from "../../http/actor.js";
import { isOperator, requireRole } from "../../http/ownership.js";
import { camerasOfAccessPoints, listActiveAccessPointsOfSite } from "../access-points/repository.js";
import { toAccessPoint } from "../access-points/schemas.js";
import { deviceLiveness, toDeviceSummary } from "../devices/index.js";
import { listActiveDevicesOfSite } from "../devices/repository.js";
import { isCountryCode } from "./countries.js";
import { findSiteById, insertSite, listSites as listSiteRows } from "./repository.js";
import { type CreateSiteBody, DEFAULT_GEOFENCE_RADIUS_M, type Site, type SiteDetail, toSite } from "./schemas.js";
import { readableSite, requirePerson } from "./site-access.js";

type Ctx = Pick<AppContext, "db" | "clock" | "config" | "audit">;

/** Recipients create their own sites; building managers create their buildings (for lockers, docs/lockers.md). */
export async function createSite(ctx: Ctx, actor: Actor, body: CreateSiteBody): Promise<Site> {
  const owner = requireRole(actor, ["recipient", "manager"], "create sites");
  const { address } = body;
  if (!isCountryCode(address.country)) {
    throw new ThresholdError(
      "invalid_request",
      `address.country "${address.country}" is not an ISO 3166-1 alpha-2 country code; use one such as NL, US or GB.`,
    );
  }
  const now = ctx.clock.now();
  const id = newId("site", now);
  const line2 = address.line2?.trim();
  const name = body.name.trim();
  await ctx.audit.transaction(async (trx, record) => {
    await insertSite(trx, {
      id,
      owner_id: owner.userId,
      name,
      address_line1: address.line1.trim(),
      address_line2: line2 ? line2 : null,
      city: address.city.trim(),
      postal_code: address.postalCode.trim(),
      country: address.country,
      lat: body.location.lat,
      lng: body.location.lng,
      geofence_radius_m: body.geofenceRadiusM ?? DEFAULT_GEOFENCE_RADIUS_M,
      created_at: now,
    });
    // The address stays out: the log is append-only, and only the site row should hold it.
    record({
      type: "site.created",
      subjectType: "site",
      subjectId: id,
      siteId: id,
      actor: actorOf(actor),
      data: { ownerId: owner.userId, name },
    });
  });
  const row = await findSiteById(ctx.db, id);
  if (!row) throw new Error(`site ${id} vanished right after it was created`);
  return toSite(row);
}

/** The caller's own sites; operators see every site. */
export async function listSites(ctx: Ctx, actor: Actor): Promise<Site[]> {
  const user = requirePerson(actor, "list sites");
  return (await listSiteRows(ctx.db, isOperator(user) ? null : user.userId)).map(toSite);
}

/** One site with its access points and a summary of its devices. */
export async function getSite(ctx: Ctx, actor: Actor, siteId: string): Promise<SiteDetail> {
  const user = requirePerson(actor, "read sites");
  const site = await readableSite(ctx.db, user, siteId);
  const [accessPoints, devices] = await Promise.all([
    listActiveAccessPointsOfSite(ctx.db, site.id),
    listActiveDevicesOfSite(ctx.db, site.id),
  ]);
  const cameras = await camerasOfAccessPoints(
    ctx.db,
    accessPoints.map((ap) => ap.id),
  );
  const liveness = deviceLiveness(ctx);
  return {
    ...toSite(site),
    accessPoints: accessPoints.map((ap) => toAccessPoint(ap, cameras.get(ap.id) ?? [])),
    devices: devices.map((device) => toDeviceSummary(device, liveness)),
  };
}

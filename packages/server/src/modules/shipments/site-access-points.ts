import {
  ACCESS_POINT_KIND_FOR_METHOD,
  type AccessPointKind,
  type Consent,
  type DeliveryMethod,
  isOpeningMethod,
} from "@threshold/core";
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.js";
import { consentsOfAccessPoints } from "../consent/repository.js";
import { toConsent } from "../consent/schemas.js";

/** A site's access point as delivery uses it: what opens it, what witnesses it, what its owner allows. */
export interface SiteAccessPoint {
  id: string;
  siteId: string;
  kind: AccessPointKind;
  name: string;
  actuatorDeviceId: string;
  /** Active witness cameras, by device id. */
  cameraDeviceIds: string[];
  consent: Consent | null;
  /** The access point a courier passes first (a fridge's front door), or null. */
  viaAccessPointId: string | null;
}

type AccessPointRow = Pick<
  Database["access_points"],
  "id" | "site_id" | "kind" | "name" | "actuator_device_id" | "via_access_point_id"
>;

const COLUMNS = ["id", "site_id", "kind", "name", "actuator_device_id", "via_access_point_id"] as const;

/** The rows with their consents and active cameras: two queries, whatever the number of rows. */
async function withConsentAndCameras(db: Kysely<Database>, rows: AccessPointRow[]): Promise<SiteAccessPoint[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const [consents, cameraRows] = await Promise.all([
    consentsOfAccessPoints(db, ids),
    db
      .selectFrom("access_point_cameras")
      .innerJoin("devices", "devices.id", "access_point_cameras.device_id")
      .select(["access_point_cameras.access_point_id", "devices.id"])
      .where("access_point_cameras.access_point_id", "in", ids)
      .where("devices.removed_at", "is", null)
      .orderBy("devices.id")
      .execute(),
  ]);
  return rows.map((row) => {
    const consentRow = consents.get(row.id);
    return {
      id: row.id,
      siteId: row.site_id,
      kind: row.kind as AccessPointKind,
      name: row.name,
      actuatorDeviceId: row.actuator_device_id,
      cameraDeviceIds: cameraRows.filter((c) => c.access_point_id === row.id).map((c) => c.id),
      consent: consentRow ? toConsent(consentRow) : null,
      viaAccessPointId: row.via_access_point_id ?? null,
    };
  });
}

/**
 * The access point of `kind` at each site that has one. When a site has several, the one whose
 * consent allows `method` wins, then the oldest: the same one shipment creation checked consent on.
 * Pure data access (no authorization); callers decide who may see it.
 */
export async function accessPointsOfSites(
  db: Kysely<Database>,
  siteIds: readonly string[],
  kind: AccessPointKind,
  method: DeliveryMethod,
): Promise<Map<string, SiteAccessPoint>> {
  const chosen = new Map<string, SiteAccessPoint>();
  if (siteIds.length === 0) return chosen;
  const rows = await db
    .selectFrom("access_points")
    .select(COLUMNS)
    .where("site_id", "in", [...new Set(siteIds)])
    .where("kind", "=", kind)
    .where("removed_at", "is", null)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  const allows = (point: SiteAccessPoint | undefined) => point?.consent?.methods.includes(method) === true;
  for (const point of await withConsentAndCameras(db, rows)) {
    const current = chosen.get(point.siteId);
    if (!current || (!allows(current) && allows(point))) chosen.set(point.siteId, point);
  }
  return chosen;
}

/** The access point each site's shipments of `method` go through; empty for methods that open nothing. */
export function accessPointsForMethod(
  db: Kysely<Database>,
  siteIds: readonly string[],
  method: DeliveryMethod,
): Promise<Map<string, SiteAccessPoint>> {
  if (!isOpeningMethod(method)) return Promise.resolve(new Map());
  return accessPointsOfSites(db, siteIds, ACCESS_POINT_KIND_FOR_METHOD[method], method);
}

/** The access point `method` goes through at `siteId`, or null when the site has none. */
export async function findAccessPointForMethod(
  db: Kysely<Database>,
  siteId: string,
  method: DeliveryMethod,
): Promise<SiteAccessPoint | null> {
  return (await accessPointsForMethod(db, [siteId], method)).get(siteId) ?? null;
}

/** One active access point by id (the outer one of a chain), as delivery uses it; null when removed. */
export async function findSiteAccessPoint(db: Kysely<Database>, id: string): Promise<SiteAccessPoint | null> {
  const rows = await db
    .selectFrom("access_points")
    .select(COLUMNS)
    .where("id", "=", id)
    .where("removed_at", "is", null)
    .execute();
  return (await withConsentAndCameras(db, rows))[0] ?? null;
}

import type { Consent } from "@threshold/core";
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.js";
import { consentsOfAccessPoints } from "../consent/repository.js";
import { toConsent } from "../consent/schemas.js";

/** A site's front door as in-home delivery uses it: what opens it, what witnesses it, what its owner allows. */
export interface FrontDoor {
  id: string;
  siteId: string;
  name: string;
  actuatorDeviceId: string;
  /** Active witness cameras, by device id. */
  cameraDeviceIds: string[];
  consent: Consent | null;
}

/**
 * The front door of each site that has one. When a site has several, the one whose consent allows
 * in_home wins, then the oldest: the same door that shipment creation checked consent on.
 * Pure data access (no authorization); callers decide who may see it.
 */
export async function frontDoorsOfSites(
  db: Kysely<Database>,
  siteIds: readonly string[],
): Promise<Map<string, FrontDoor>> {
  const doors = new Map<string, FrontDoor>();
  if (siteIds.length === 0) return doors;
  const rows = await db
    .selectFrom("access_points")
    .select(["id", "site_id", "name", "actuator_device_id"])
    .where("site_id", "in", [...new Set(siteIds)])
    .where("kind", "=", "front_door")
    .where("removed_at", "is", null)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  if (rows.length === 0) return doors;
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
  for (const row of rows) {
    const consentRow = consents.get(row.id);
    const door: FrontDoor = {
      id: row.id,
      siteId: row.site_id,
      name: row.name,
      actuatorDeviceId: row.actuator_device_id,
      cameraDeviceIds: cameraRows.filter((c) => c.access_point_id === row.id).map((c) => c.id),
      consent: consentRow ? toConsent(consentRow) : null,
    };
    const chosen = doors.get(row.site_id);
    const allowsInHome = (d: FrontDoor | undefined) => d?.consent?.methods.includes("in_home") === true;
    if (!chosen || (!allowsInHome(chosen) && allowsInHome(door))) doors.set(row.site_id, door);
  }
  return doors;
}

/** The site's front door (see frontDoorsOfSites), or null when it has none. */
export async function findFrontDoor(db: Kysely<Database>, siteId: string): Promise<FrontDoor | null> {
  return (await frontDoorsOfSites(db, [siteId])).get(siteId) ?? null;
}

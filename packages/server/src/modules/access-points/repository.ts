import type { Insertable, Kysely } from "kysely";
import type { Database } from "../../db/schema.js";

export async function insertAccessPoint(
  db: Kysely<Database>,
  accessPoint: Insertable<Database["access_points"]>,
  cameraDeviceIds: readonly string[],
): Promise<void> {
  await db.insertInto("access_points").values(accessPoint).execute();
  if (cameraDeviceIds.length > 0) {
    await db
      .insertInto("access_point_cameras")
      .values(cameraDeviceIds.map((deviceId) => ({ access_point_id: accessPoint.id, device_id: deviceId })))
      .execute();
  }
}

/** An access point that has not been removed, with the owner of its site (for authorization). */
export function findActiveAccessPoint(db: Kysely<Database>, id: string) {
  return db
    .selectFrom("access_points")
    .innerJoin("sites", "sites.id", "access_points.site_id")
    .selectAll("access_points")
    .select("sites.owner_id")
    .where("access_points.id", "=", id)
    .where("access_points.removed_at", "is", null)
    .executeTakeFirst();
}

export function listActiveAccessPointsOfSite(db: Kysely<Database>, siteId: string) {
  return db
    .selectFrom("access_points")
    .selectAll()
    .where("site_id", "=", siteId)
    .where("removed_at", "is", null)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
}

/** Camera device ids per access point id. */
export async function camerasOfAccessPoints(
  db: Kysely<Database>,
  accessPointIds: readonly string[],
): Promise<Map<string, string[]>> {
  const cameras = new Map<string, string[]>();
  if (accessPointIds.length === 0) return cameras;
  const rows = await db
    .selectFrom("access_point_cameras")
    .select(["access_point_id", "device_id"])
    .where("access_point_id", "in", accessPointIds)
    .orderBy("device_id")
    .execute();
  for (const row of rows) {
    const list = cameras.get(row.access_point_id) ?? [];
    list.push(row.device_id);
    cameras.set(row.access_point_id, list);
  }
  return cameras;
}

export async function markAccessPointRemoved(db: Kysely<Database>, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable("access_points")
    .set({ removed_at: now })
    .where("id", "=", id)
    .where("removed_at", "is", null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Active access points that a device opens; while there are any, the device cannot be removed. */
export function activeAccessPointsActuatedBy(db: Kysely<Database>, deviceId: string) {
  return db
    .selectFrom("access_points")
    .select(["id", "name"])
    .where("actuator_device_id", "=", deviceId)
    .where("removed_at", "is", null)
    .orderBy("created_at")
    .execute();
}

/** Unlinks a removed camera from active access points (removed ones keep their history). */
export function detachCameraFromActiveAccessPoints(db: Kysely<Database>, deviceId: string) {
  return db
    .deleteFrom("access_point_cameras")
    .where("device_id", "=", deviceId)
    .where("access_point_id", "in", (qb) => qb.selectFrom("access_points").select("id").where("removed_at", "is", null))
    .execute();
}

import { ThresholdError } from "@threshold/core";
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.js";

/**
 * The recipient of a locker shipment: the building resident the carrier named, who must be
 * registered at that building by its manager. A building without a locker bank takes none.
 */
export async function lockerRecipient(
  db: Kysely<Database>,
  siteId: string,
  body: { residentEmail?: string | undefined; size?: unknown },
): Promise<string> {
  const bank = await db.selectFrom("locker_banks").select("id").where("site_id", "=", siteId).executeTakeFirst();
  if (!bank) {
    throw new ThresholdError("method_not_suited", "This site has no parcel locker; choose another method.");
  }
  if (!body.size) {
    throw new ThresholdError(
      "invalid_request",
      "A locker shipment needs its size (lengthCm, widthCm, heightCm) to find a compartment.",
    );
  }
  if (!body.residentEmail) {
    throw new ThresholdError("invalid_request", "A locker shipment needs residentEmail: the resident it is for.");
  }
  const resident = await db
    .selectFrom("building_residents")
    .innerJoin("users", "users.id", "building_residents.user_id")
    .select("users.id")
    .where("building_residents.site_id", "=", siteId)
    .where("users.email", "=", body.residentEmail.toLowerCase())
    .executeTakeFirst();
  if (!resident) {
    throw new ThresholdError(
      "not_a_resident",
      "Nobody with that email is registered as a resident of this building; ask the resident to check with the building manager.",
    );
  }
  return resident.id;
}

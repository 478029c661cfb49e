import { ThresholdError } from "@threshold/core";
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.js";
import type { FrontDoor } from "../shipments/index.js";

/**
 * A courier checking in with a keypad code: the code must be this shipment's one-time code, set
 * on this door's lock. Anything else changes nothing and says so (the courier may scan instead).
 */
export async function usableCode(
  db: Kysely<Database>,
  codeId: string,
  shipmentId: string,
  door: FrontDoor | null,
): Promise<void> {
  const code = await db
    .selectFrom("access_codes")
    .select(["shipment_id", "kind", "status", "device_id"])
    .where("id", "=", codeId)
    .executeTakeFirst();
  if (!code || code.shipment_id !== shipmentId || code.kind !== "online") {
    throw new ThresholdError("access_code_unusable", "That code is not a one-time code of this package.");
  }
  if (code.status !== "set" || !door || door.actuatorDeviceId !== code.device_id) {
    throw new ThresholdError(
      "access_code_unusable",
      `That code is ${code.status === "set" ? "not on this door's lock" : code.status}; scan the package instead.`,
    );
  }
}

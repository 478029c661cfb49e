import type { KeyObject } from "node:crypto";
import { importPublicKey } from "@threshold/protocol";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema.js";

export interface KnownDevice {
  id: string;
  kind: string;
  publicKey: KeyObject;
  trustedKid: string;
}

/**
 * Device public keys, cached: every inbound message needs one, and parsing a key costs more
 * than verifying a signature. Removal evicts the entry at once.
 */
export class DeviceDirectory {
  private readonly cache = new Map<string, KnownDevice>();

  constructor(private readonly db: Kysely<Database>) {}

  async get(deviceId: string): Promise<KnownDevice | null> {
    const cached = this.cache.get(deviceId);
    if (cached) return cached;
    const row = await this.db
      .selectFrom("devices")
      .select(["id", "kind", "public_key", "trusted_kid"])
      .where("id", "=", deviceId)
      .where("removed_at", "is", null)
      .executeTakeFirst();
    if (!row) return null;
    const device = {
      id: row.id,
      kind: row.kind,
      publicKey: importPublicKey(row.public_key),
      trustedKid: row.trusted_kid,
    };
    this.cache.set(deviceId, device);
    return device;
  }

  setTrustedKid(deviceId: string, kid: string): void {
    const cached = this.cache.get(deviceId);
    if (cached) cached.trustedKid = kid;
  }

  evict(deviceId: string): void {
    this.cache.delete(deviceId);
  }
}

import type { KeyObject } from "node:crypto";
import { importPublicKey } from "@threshold/protocol";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema.js";
import type { FreshnessMarks } from "./freshness.js";

export interface KnownDevice {
  id: string;
  kind: string;
  publicKey: KeyObject;
  trustedKid: string;
  /** Kept here in front of the devices row: every state report is judged against them. */
  freshness: FreshnessMarks;
}

/**
 * Device public keys and freshness marks, cached: every inbound message needs them, and parsing a
 * key costs more than verifying a signature. Removal evicts the entry at once. The marks are only
 * changed by the gateway, which handles one device's messages one after another.
 */
export class DeviceDirectory {
  private readonly cache = new Map<string, KnownDevice>();

  constructor(private readonly db: Kysely<Database>) {}

  async get(deviceId: string): Promise<KnownDevice | null> {
    const cached = this.cache.get(deviceId);
    if (cached) return cached;
    const row = await this.db
      .selectFrom("devices")
      .select(["id", "kind", "public_key", "trusted_kid", "state_at", "offline_after"])
      .where("id", "=", deviceId)
      .where("removed_at", "is", null)
      .executeTakeFirst();
    if (!row) return null;
    const device = {
      id: row.id,
      kind: row.kind,
      publicKey: importPublicKey(row.public_key),
      trustedKid: row.trusted_kid,
      freshness: { stateAt: row.state_at ?? null, offlineAfter: row.offline_after ?? null },
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

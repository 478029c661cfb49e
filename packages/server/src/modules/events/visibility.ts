import { performance } from "node:perf_hooks";
import type { AuditEvent } from "@threshold/core";
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.js";
import type { UserActor } from "../../http/actor.js";
import { ownersOfSites, type ReplayScope } from "./repository.js";

/** Ownership is looked up again after this long, so a change of owner reaches open streams soon. */
const OWNER_TTL_MS = 10_000;
const MAX_CACHED_SITES = 50_000;

/**
 * Who owns which site, cached briefly and shared by every open stream. A site created while its
 * owner is connected is simply not cached yet: its first event looks it up.
 */
export class SiteOwners {
  private readonly owners = new Map<string, { ownerId: string | null; until: number }>();

  constructor(private readonly db: Kysely<Database>) {}

  /** Looks up the sites of `events` that are not cached (or have gone stale), in one query. */
  async load(events: readonly AuditEvent[]): Promise<void> {
    const now = performance.now();
    const missing = new Set<string>();
    for (const event of events) {
      if (event.siteId === null) continue;
      const cached = this.owners.get(event.siteId);
      if (!cached || cached.until <= now) missing.add(event.siteId);
    }
    if (missing.size === 0) return;
    const rows = await ownersOfSites(this.db, [...missing]);
    if (this.owners.size + missing.size > MAX_CACHED_SITES) this.owners.clear();
    const until = performance.now() + OWNER_TTL_MS;
    for (const id of missing) this.owners.set(id, { ownerId: null, until });
    for (const row of rows) this.owners.set(row.id, { ownerId: row.owner_id, until });
  }

  /** The owner as last loaded; call `load` for the events first. */
  ownerOf(siteId: string): string | null {
    return this.owners.get(siteId)?.ownerId ?? null;
  }
}

/** What one reader of the stream may see. */
export interface Viewer {
  /** Narrows the replay in SQL; `sees` still decides each event. */
  scope: ReplayScope;
  sees(event: AuditEvent, owners: SiteOwners): boolean;
}

/**
 * Recipients see the events of their own sites (as in GET /v1/audit/events) and, as residents, the
 * locker events naming them (docs/lockers.md); couriers the events of
 * their own visits, and incidents of those visits; operators everything.
 */
export function viewerFor(user: UserActor): Viewer {
  switch (user.role) {
    case "operator":
      return { scope: { kind: "all" }, sees: () => true };
    case "recipient":
      return {
        scope: { kind: "owner", ownerId: user.userId },
        // Their own sites' events, and as a building's resident the locker events about their parcels.
        sees: (event, owners) =>
          (event.siteId !== null && owners.ownerOf(event.siteId) === user.userId) ||
          (event.type.startsWith("locker.") && event.data.residentId === user.userId),
      };
    case "courier":
      return {
        scope: { kind: "courier" },
        sees: (event) =>
          (event.subjectType === "visit" ||
            event.subjectType === "access_code" ||
            event.type.startsWith("incident.")) &&
          event.data.courierId === user.userId,
      };
    default:
      throw new Error(`no event stream for ${user.role} accounts`);
  }
}

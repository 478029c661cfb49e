import { type Kysely, sql } from "kysely";

// A trunk's consent was written in UTC (a car has no zone of its own), so its deliveries showed their
// window in UTC. It takes the zone of another door of the car's home site, as new ones now do.
// Never edit after it lands; add a migration instead.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    update consents set timezone = (
      select other.timezone from consents other
      where other.site_id = consents.site_id and other.access_point_id <> consents.access_point_id
      order by other.updated_at desc limit 1
    )
    where timezone = 'UTC'
      and access_point_id in (select id from access_points where kind = 'trunk')
      and exists (
        select 1 from consents other
        where other.site_id = consents.site_id and other.access_point_id <> consents.access_point_id
      )
  `.execute(db);
}

export async function down(): Promise<void> {
  // The UTC it replaced was never the owner's choice: nothing to restore.
}

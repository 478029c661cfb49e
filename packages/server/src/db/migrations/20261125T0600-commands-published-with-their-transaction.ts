import type { Kysely } from "kysely";

// Commands are now stored in the transaction of the decision that calls for them and published as
// soon as it is durable; the separate "sent" status and its timestamp (a second write per command)
// are gone. Open commands a previous version marked sent are open commands still.
// Never edit after it lands; add a migration instead.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db
    .updateTable("commands" as never)
    .set({ status: "created" } as never)
    .where("status" as never, "=", "sent" as never)
    .execute();
  await db.schema.alterTable("commands").dropColumn("sent_at").execute();
}

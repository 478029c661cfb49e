import { type Kysely, sql } from "kysely";
import type { Dialect } from "../../db/database.js";
import type { Database } from "../../db/schema.js";

/** Storage of sign-in attempts for the login limiter; one row per attempt and subject. */

export async function recordFailures(db: Kysely<Database>, subjects: string[], at: number): Promise<void> {
  await db
    .insertInto("login_failures")
    .values(subjects.map((subject) => ({ subject, at })))
    .execute();
}

export async function countRecentFailures(
  db: Kysely<Database>,
  subjects: string[],
  since: number,
): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom("login_failures")
    .select(["subject", db.fn.countAll().as("count")])
    .where("subject", "in", subjects)
    .where("at", ">", since)
    .groupBy("subject")
    .execute();
  return new Map(rows.map((row) => [row.subject, Number(row.count)]));
}

/** The time of the `index`-th oldest (0-based) failure still inside the window. */
export async function nthRecentFailure(
  db: Kysely<Database>,
  subject: string,
  since: number,
  index: number,
): Promise<number | undefined> {
  const row = await db
    .selectFrom("login_failures")
    .select("at")
    .where("subject", "=", subject)
    .where("at", ">", since)
    .orderBy("at")
    .limit(1)
    .offset(index)
    .executeTakeFirst();
  return row?.at;
}

export async function deleteSubject(db: Kysely<Database>, subject: string): Promise<void> {
  await db.deleteFrom("login_failures").where("subject", "=", subject).execute();
}

/**
 * Deletes exactly one row for (subject, at). Rows carry no id, and parallel attempts can share a
 * millisecond, so deleting every match would erase other attempts' rows; the storage engine's
 * own row address (rowid in SQLite, ctid in PostgreSQL) picks one. Identical rows are
 * interchangeable, so which one goes does not matter.
 */
export async function deleteOneFailure(
  db: Kysely<Database>,
  dialect: Dialect,
  subject: string,
  at: number,
): Promise<void> {
  const rowAddress = sql.raw(dialect === "postgres" ? "ctid" : "rowid");
  await sql`delete from login_failures where ${rowAddress} in (
    select ${rowAddress} from login_failures where subject = ${subject} and at = ${at} limit 1
  )`.execute(db);
}

export async function pruneFailures(db: Kysely<Database>, before: number): Promise<void> {
  await db.deleteFrom("login_failures").where("at", "<=", before).execute();
}

import fs from "node:fs";
import path from "node:path";
import SqliteDatabase from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import { migrations } from "./migrations/index.js";
import type { Database } from "./schema.js";
import { WalSync } from "./wal-sync.js";

export type Dialect = "sqlite" | "postgres";

export interface Storage {
  db: Kysely<Database>;
  dialect: Dialect;
  /**
   * Resolves once every commit made before the call is on disk. Commits that hold audit events,
   * commands or used one-time codes await it before anything is acknowledged.
   */
  durable(): Promise<void>;
  /** A cheap round trip, for /health. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type StorageOptions = { databaseUrl: string } | { sqlitePath: string };

/**
 * Opens the database: PostgreSQL when a URL is given, else a SQLite file.
 * SQLite runs in WAL mode with `synchronous=NORMAL`; what must be durable before it is
 * acknowledged (audit events, commands, used one-time codes) waits for `durable()`, which fsyncs
 * the WAL off the event loop for many commits at once (WalSync).
 */
export function openStorage(options: StorageOptions): Storage {
  if ("databaseUrl" in options) return openPostgres(options.databaseUrl);
  return openSqlite(options.sqlitePath);
}

function openSqlite(file: string): Storage {
  if (file !== ":memory:") fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma("journal_mode = WAL");
  // Commits do not wait for the disk one by one; WalSync makes them durable in groups (below).
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  // Another process (the CLI, a second server) may hold the write lock briefly; wait rather than fail.
  sqlite.pragma("busy_timeout = 5000");
  const walSync = file === ":memory:" ? null : new WalSync(`${file}-wal`);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return {
    db,
    dialect: "sqlite",
    durable: () => walSync?.flush() ?? Promise.resolve(),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: async () => {
      await db.destroy();
      walSync?.close();
    },
  };
}

/** How many distinct statements stay prepared; our queries are a few hundred shapes. */
const STATEMENT_CACHE_SIZE = 2_000;

/**
 * Kysely's SQLite driver prepares every query anew, which measured ~11% of a visit's server time.
 * Prepared statements are reusable (the driver never runs one twice at once), so they are kept
 * per SQL text.
 */
function withStatementCache(sqlite: SqliteDatabase.Database): SqliteDatabase.Database {
  const cache = new Map<string, SqliteDatabase.Statement>();
  const prepare = sqlite.prepare.bind(sqlite);
  return new Proxy(sqlite, {
    get(target, property, receiver) {
      if (property !== "prepare") return Reflect.get(target, property, receiver);
      return (text: string) => {
        let statement = cache.get(text);
        if (!statement) {
          if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
          statement = prepare(text);
          cache.set(text, statement);
        }
        return statement;
      };
    },
  });
}

// PostgreSQL returns bigint (int8) as a string to avoid precision loss; our bigints are epoch
// milliseconds, far inside the safe integer range, so they are parsed as numbers.
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8_OID
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

function openPostgres(connectionString: string): Storage {
  const pool = new pg.Pool({ connectionString, types, max: 10 });
  // An idle connection that PostgreSQL terminates (restart, failover, admin) must not crash the
  // process; the pool drops it and the next query opens a new one.
  pool.on("error", (err) => {
    process.emitWarning(`PostgreSQL connection lost: ${err.message}`);
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: "postgres",
    // PostgreSQL has made a commit durable (fsync of its WAL) by the time it acknowledges it.
    durable: () => Promise.resolve(),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}

/** Brings the schema up to date; returns the names of the migrations it applied. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: "schema_migrations",
    migrationLockTableName: "schema_migrations_lock",
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

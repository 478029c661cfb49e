import fs from "node:fs";
import type { Config, Storage } from "@threshold/server";

/**
 * The database a reading command looks at, which must already exist: a command that only reads
 * never creates an empty SQLite file (or tables) where the user pointed it by mistake. Throws an
 * error that says where it looked and how to point it elsewhere.
 */
export async function openExistingStorage(config: Config): Promise<Storage> {
  const where = config.databaseUrl ? "the PostgreSQL database in DATABASE_URL" : config.sqlitePath;
  if (!config.databaseUrl && !fs.existsSync(config.sqlitePath)) {
    throw new Error(
      `no database at ${config.sqlitePath}. Run this where \`threshold serve\` keeps its data, or set DATA_DIR to that directory (or DATABASE_URL for PostgreSQL).`,
    );
  }
  const { openStorage } = await import("@threshold/server");
  const storage = openStorage(
    config.databaseUrl ? { databaseUrl: config.databaseUrl } : { sqlitePath: config.sqlitePath },
  );
  try {
    await storage.db.selectFrom("audit_head").select("seq").limit(1).execute();
  } catch {
    await storage.close();
    throw new Error(
      `${where} holds no Threshold data (no audit log). Point DATA_DIR or DATABASE_URL at the server's database, or run \`threshold db migrate\` to set this one up.`,
    );
  }
  return storage;
}

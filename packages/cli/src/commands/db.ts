import type { Command } from "commander";

export function registerDbCommands(program: Command): void {
  const db = program.command("db").description("Database maintenance");
  db.command("migrate")
    .description("Apply pending migrations to the database named by DATABASE_URL (or the SQLite file in DATA_DIR)")
    .action(async () => {
      const { loadConfig, migrateToLatest, openStorage } = await import("@threshold/server");
      const config = loadConfig();
      const storage = openStorage(
        config.databaseUrl ? { databaseUrl: config.databaseUrl } : { sqlitePath: config.sqlitePath },
      );
      try {
        const applied = await migrateToLatest(storage.db);
        console.log(applied.length > 0 ? `Applied: ${applied.join(", ")}` : "The database is up to date.");
      } finally {
        await storage.close();
      }
    });
}

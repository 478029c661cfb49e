import path from "node:path";
import type { Command } from "commander";

export function registerBackupCommands(program: Command): void {
  program
    .command("backup")
    .argument("<dir>", "a new (or empty) directory to write the backup into")
    .description(
      "Back up the installation that DATA_DIR (or DATABASE_URL) names while its server runs: the database (SQLite's online backup, or pg_dump), SIGNING_KEY_DIR and MEDIA_DIR, with a manifest. The backup holds private keys: keep it as safe as the server.",
    )
    .action(async (dir: string) => {
      const { backupData, loadConfig } = await import("@threshold/server");
      const config = loadConfig();
      const manifest = await backupData(config, path.resolve(dir));
      console.log(
        `Backed up to ${path.resolve(dir)}: the ${manifest.database} database (audit chain to event ${manifest.auditHead.seq}), ${manifest.keys} key files, ${manifest.media} media files.`,
      );
    });
  program
    .command("restore")
    .argument("<dir>", "a directory written by `threshold backup`")
    .description(
      "Restore a backup into a new installation: DATA_DIR must hold no database, keys or media (for PostgreSQL, DATABASE_URL must name an empty database). Stop the server first, start it after. Ends by verifying the restored audit chain.",
    )
    .action(async (dir: string) => {
      const { loadConfig, restoreData } = await import("@threshold/server");
      const config = loadConfig();
      const result = await restoreData(config, path.resolve(dir));
      console.log(
        `Restored the backup of ${result.manifest.createdAt} into ${config.databaseUrl ? "the PostgreSQL database in DATABASE_URL" : config.dataDir}: the audit log is intact (${result.auditEvents} events). Start the server with the same settings.`,
      );
    });
}

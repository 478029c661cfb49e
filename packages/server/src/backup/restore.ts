import fs from "node:fs";
import path from "node:path";
import { systemClock } from "@threshold/core";
import { AuditLog } from "../audit/audit-log.js";
import type { Config } from "../config.js";
import { openStorage } from "../db/database.js";
import { copyTree, isEmptyDir } from "./copy-tree.js";
import { type BackupManifest, KEYS_DIR, MEDIA_DIR, readManifest } from "./manifest.js";
import { restorePostgres } from "./postgres-tools.js";

export interface RestoreResult {
  manifest: BackupManifest;
  /** Events of the restored audit chain, every link and hash checked. */
  auditEvents: number;
}

/**
 * Restores a backup made by `backupData` into the installation `config` names, which must be new:
 * no SQLite file (or, for PostgreSQL, an empty database), no keys, no media — a restore never
 * mixes with or overwrites live data. Run it with the server stopped; start the server after. It
 * ends by walking the restored audit chain, which must verify and reach the backup's head.
 */
export async function restoreData(config: Config, dir: string): Promise<RestoreResult> {
  const manifest = readManifest(dir);
  if ((manifest.database === "postgres") !== Boolean(config.databaseUrl)) {
    throw new Error(
      `this is a ${manifest.database} backup; ${config.databaseUrl ? "unset DATABASE_URL to restore it into DATA_DIR" : "set DATABASE_URL to the empty PostgreSQL database to restore it into"}.`,
    );
  }
  for (const [what, target] of [
    ["keys directory", config.signingKeyDir],
    ["media store", config.media.dir],
  ] as const) {
    if (!isEmptyDir(target)) throw new Error(`the ${what} ${target} is not empty: restore into a new DATA_DIR.`);
  }

  const source = path.join(dir, manifest.databaseFile);
  if (config.databaseUrl) {
    await requireEmptyPostgres(config.databaseUrl);
    await restorePostgres(config.databaseUrl, source);
  } else {
    const target = config.sqlitePath;
    if (fs.existsSync(target))
      throw new Error(`there is already a database at ${target}: restore into a new DATA_DIR.`);
    fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
    fs.copyFileSync(source, target, fs.constants.COPYFILE_EXCL);
    fs.chmodSync(target, 0o600);
  }
  copyTree(path.join(dir, KEYS_DIR), config.signingKeyDir);
  copyTree(path.join(dir, MEDIA_DIR), config.media.dir);
  return { manifest, auditEvents: await verifyRestored(config, manifest) };
}

async function requireEmptyPostgres(databaseUrl: string): Promise<void> {
  const storage = openStorage({ databaseUrl });
  try {
    const tables = await storage.db.introspection.getTables();
    if (tables.length > 0) {
      throw new Error("the PostgreSQL database in DATABASE_URL is not empty: restore into a newly created database.");
    }
  } finally {
    await storage.close();
  }
}

async function verifyRestored(config: Config, manifest: BackupManifest): Promise<number> {
  const storage = openStorage(
    config.databaseUrl ? { databaseUrl: config.databaseUrl } : { sqlitePath: config.sqlitePath },
  );
  try {
    const result = await new AuditLog(storage.db, storage.dialect, systemClock).verify();
    if (!result.ok) {
      throw new Error(
        `the restored audit chain does not verify: event ${result.problem.seq} (${result.problem.kind}).`,
      );
    }
    if (result.checked < manifest.auditHead.seq) {
      throw new Error(
        `the restored audit chain ends at ${result.checked}, before the backup's ${manifest.auditHead.seq}.`,
      );
    }
    return result.checked;
  } finally {
    await storage.close();
  }
}

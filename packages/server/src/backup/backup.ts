import fs from "node:fs";
import path from "node:path";
import SqliteDatabase from "better-sqlite3";
import type { Config } from "../config.js";
import { openStorage, type StorageOptions } from "../db/database.js";
import { copyTree, isEmptyDir } from "./copy-tree.js";
import { type BackupManifest, KEYS_DIR, MEDIA_DIR, writeManifest } from "./manifest.js";
import { dumpPostgres } from "./postgres-tools.js";

/** The media store's unfinished writes (directory-media-store.ts): never part of a backup. */
export const MEDIA_INCOMING = ".incoming";

/** Pages per step after the first: all of them, so a busy server's writes cannot keep restarting the copy. */
const ALL_PAGES = 0x7fffffff;

/**
 * Backs up a Threshold installation into `dir`, which must be new or empty, while its server runs:
 * the database first (SQLite's online backup API, or pg_dump — never a copy of a live WAL file),
 * then the keys directory, then the media store. In that order every row of the database finds its
 * segment in the copy (segments are only ever added, or deleted once expired); the media may hold
 * a few segments newer than the database. The manifest is written last.
 */
export async function backupData(config: Config, dir: string): Promise<BackupManifest> {
  if (!isEmptyDir(dir)) throw new Error(`${dir} is not empty: back up into a new directory.`);
  if (!config.databaseUrl && !fs.existsSync(config.sqlitePath)) {
    throw new Error(`no database at ${config.sqlitePath}: set DATA_DIR to where \`threshold serve\` keeps its data.`);
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });

  const database = config.databaseUrl ? "postgres" : "sqlite";
  const databaseFile = database === "sqlite" ? "threshold.db" : "threshold.pgdump";
  const target = path.join(dir, databaseFile);
  let auditHead: BackupManifest["auditHead"];
  if (config.databaseUrl) {
    // Read before the dump: the dump's snapshot reaches at least this far.
    auditHead = await readAuditHead({ databaseUrl: config.databaseUrl });
    await dumpPostgres(config.databaseUrl, target);
  } else {
    const source = new SqliteDatabase(config.sqlitePath, { fileMustExist: true });
    try {
      source.pragma("busy_timeout = 5000");
      await source.backup(target, { progress: () => ALL_PAGES });
    } finally {
      source.close();
    }
    fs.chmodSync(target, 0o600);
    auditHead = await readAuditHead({ sqlitePath: target });
  }
  const manifest: BackupManifest = {
    format: 1,
    createdAt: new Date().toISOString(),
    database,
    databaseFile,
    auditHead,
    keys: copyTree(config.signingKeyDir, path.join(dir, KEYS_DIR)),
    media: copyTree(config.media.dir, path.join(dir, MEDIA_DIR), [MEDIA_INCOMING]),
  };
  writeManifest(dir, manifest);
  return manifest;
}

/** The audit chain's head: of the SQLite copy itself, or of the PostgreSQL database just before its dump. */
async function readAuditHead(where: StorageOptions): Promise<BackupManifest["auditHead"]> {
  const storage = openStorage(where);
  try {
    const head = await storage.db
      .selectFrom("audit_head")
      .select(["seq", "hash"])
      .where("id", "=", 1)
      .executeTakeFirst();
    if (!head)
      throw new Error("the database holds no Threshold data (no audit log): is DATA_DIR or DATABASE_URL right?");
    return { seq: Number(head.seq), hash: head.hash };
  } finally {
    await storage.close();
  }
}

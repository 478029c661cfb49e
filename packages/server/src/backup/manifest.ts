import fs from "node:fs";
import path from "node:path";

/** What a backup holds, written last: a directory without it is an unfinished backup. */
export interface BackupManifest {
  format: 1;
  createdAt: string;
  database: "sqlite" | "postgres";
  /** The file under the backup directory: `threshold.db` (SQLite) or `threshold.pgdump` (pg_dump's custom format). */
  databaseFile: string;
  /** The audit chain's head in the backup: a restore checks the chain reaches at least this far and verifies. */
  auditHead: { seq: number; hash: string };
  /** How many files were copied from the keys directory and the media store. */
  keys: number;
  media: number;
}

export const MANIFEST_FILE = "manifest.json";
export const KEYS_DIR = "keys";
export const MEDIA_DIR = "media";

export function writeManifest(dir: string, manifest: BackupManifest): void {
  fs.writeFileSync(path.join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
}

export function readManifest(dir: string): BackupManifest {
  const file = path.join(dir, MANIFEST_FILE);
  if (!fs.existsSync(file)) {
    throw new Error(`${dir} is not a finished Threshold backup (no ${MANIFEST_FILE}).`);
  }
  const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as BackupManifest;
  if (manifest.format !== 1) throw new Error(`${file}: unknown backup format ${String(manifest.format)}.`);
  return manifest;
}

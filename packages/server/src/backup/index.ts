/** Backing up and restoring an installation (docs/operations.md, "Backups and restore"): database, keys, media. */
export { backupData } from "./backup.js";
export type { BackupManifest } from "./manifest.js";
export { type RestoreResult, restoreData } from "./restore.js";

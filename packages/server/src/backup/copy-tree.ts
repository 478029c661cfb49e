import fs from "node:fs";
import path from "node:path";

/**
 * Copies the files under `from` into `to` (made with mode 0700), keeping each file's mode, and
 * answers how many files it copied. Names in `skip` are left out at every level (the media store's
 * unfinished writes). A file that disappears while the copy runs (media retention deleting an
 * expired segment) is simply not copied.
 */
export function copyTree(from: string, to: string, skip: readonly string[] = []): number {
  if (!fs.existsSync(from)) return 0;
  fs.mkdirSync(to, { recursive: true, mode: 0o700 });
  let copied = 0;
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    if (skip.includes(entry.name)) continue;
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) {
      copied += copyTree(source, target, skip);
    } else if (entry.isFile()) {
      try {
        fs.copyFileSync(source, target, fs.constants.COPYFILE_EXCL);
        fs.chmodSync(target, fs.statSync(source).mode & 0o777);
        copied++;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
    }
  }
  return copied;
}

/** True when `dir` does not exist or holds nothing. */
export function isEmptyDir(dir: string): boolean {
  return !fs.existsSync(dir) || fs.readdirSync(dir).length === 0;
}

import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { assertMediaKey, type MediaObject, type MediaStore } from "./media-store.js";

/** Unfinished writes live here, outside every key's path, until they are renamed into place. */
const INCOMING = ".incoming";

/**
 * The media store on the local disk: the object `a/b.ts` is the file `<root>/a/b.ts`. A put
 * writes to a temporary file under `<root>/.incoming`, fsyncs it, renames it over the real name
 * (atomic within one file system) and fsyncs the directory, so a crash, a full disk or a
 * dropped upload never leaves half a segment under a real name.
 */
export class DirectoryMediaStore implements MediaStore {
  /**
   * Directories this store made or found: a camera's segments all go to one, so asking the disk
   * again on every put would be two wasted trips through the thread pool. One removed behind our
   * back (ENOENT) is forgotten and made again, and the put tried once more.
   */
  private readonly madeDirectories = new Set<string>();

  constructor(readonly root: string) {}

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const target = this.pathOf(key);
    try {
      await this.write(target, bytes);
    } catch (error) {
      if (!isMissing(error)) throw error;
      this.madeDirectories.clear();
      await this.write(target, bytes);
    }
  }

  private async write(target: string, bytes: Uint8Array): Promise<void> {
    const incoming = path.join(this.root, INCOMING);
    await this.directory(incoming);
    await this.directory(path.dirname(target));
    const temporary = path.join(incoming, `${randomBytes(12).toString("hex")}.part`);
    try {
      const file = await fs.open(temporary, "wx", 0o600);
      try {
        await file.writeFile(bytes);
        await file.sync();
      } finally {
        await file.close();
      }
      await fs.rename(temporary, target);
    } catch (error) {
      await fs.rm(temporary, { force: true });
      throw error;
    }
    await syncDirectory(path.dirname(target));
  }

  private async directory(directory: string): Promise<void> {
    if (this.madeDirectories.has(directory)) return;
    await fs.mkdir(directory, { recursive: true });
    this.madeDirectories.add(directory);
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await fs.readFile(this.pathOf(key));
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async open(key: string): Promise<MediaObject | null> {
    const file = this.pathOf(key);
    let size: number;
    try {
      size = (await fs.stat(file)).size;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
    // Objects are never rewritten in place (put renames a new file over the name), so the size
    // read above is the size of whatever the stream opens.
    return { stream: createReadStream(file), size };
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.pathOf(key), { force: true });
  }

  /**
   * Removes temporary files of puts that never finished (the process died mid-write) and are
   * older than `olderThanMs`; the age keeps it from touching another process's write in progress.
   */
  async removeAbandonedWrites(now: number, olderThanMs: number): Promise<number> {
    const incoming = path.join(this.root, INCOMING);
    let names: string[];
    try {
      names = await fs.readdir(incoming);
    } catch (error) {
      if (isMissing(error)) return 0;
      throw error;
    }
    let removed = 0;
    for (const name of names) {
      const file = path.join(incoming, name);
      const stat = await fs.stat(file).catch(() => null);
      if (stat && now - stat.mtimeMs > olderThanMs) {
        await fs.rm(file, { force: true });
        removed++;
      }
    }
    return removed;
  }

  private pathOf(key: string): string {
    assertMediaKey(key);
    return path.join(this.root, ...key.split("/"));
  }
}

/** Makes a rename durable: the directory entry itself must reach the disk. */
async function syncDirectory(directory: string): Promise<void> {
  const handle = await fs.open(directory, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === "ENOENT";
}

import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { assertMediaKey, type MediaObject, type MediaStore, type PutOptions } from "./media-store.js";
import { type MediaWriters, mediaWriters } from "./media-writers.js";

/** Unfinished writes live here, outside every key's path, until they are renamed into place. */
const INCOMING = ".incoming";

/** Temporary names: unique to this process (stores of several processes may share a root), then counted. */
const TEMPORARY_PREFIX = randomBytes(8).toString("hex");
let temporaries = 0;

/**
 * The media store on the local disk: the object `a/b.ts` is the file `<root>/a/b.ts`. A put
 * writes to a temporary file under `<root>/.incoming`, fsyncs it, renames it over the real name
 * (atomic within one file system) and fsyncs the directory, so a crash, a full disk or a
 * dropped upload never leaves half a segment under a real name. Puts run on the media writer
 * threads (media-writers.ts), which make missing directories as they go.
 */
export class DirectoryMediaStore implements MediaStore {
  constructor(
    readonly root: string,
    private readonly writers: MediaWriters = mediaWriters,
  ) {}

  async put(key: string, bytes: Uint8Array, options: PutOptions = {}): Promise<void> {
    const temporary = path.join(this.root, INCOMING, `${TEMPORARY_PREFIX}-${++temporaries}.part`);
    await this.writers.write({ bytes, sha256: options.sha256, temporary, target: this.pathOf(key) });
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

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === "ENOENT";
}

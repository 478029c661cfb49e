import type { Readable } from "node:stream";

/** A stored object being read: its bytes as a stream and its length, for Content-Length. */
export interface MediaObject {
  stream: Readable;
  size: number;
}

/**
 * Where video bytes live, by key (`<deviceId>/<segmentId>.ts`). The database holds what a segment
 * is; the store holds only its bytes. The default is a directory on the local disk
 * (DirectoryMediaStore); the interface is deliberately the subset an S3-compatible object store
 * offers (PutObject, GetObject, DeleteObject), so one can implement it later without changing
 * its callers.
 *
 * Keys are relative, `/`-separated and made of `[A-Za-z0-9._-]` segments (`assertMediaKey`).
 */
export interface MediaStore {
  /**
   * Stores `bytes` under `key` all or nothing: once it resolves the object is durable, and a
   * failed or interrupted put never leaves a partial object under `key`. Replaces an existing one.
   * With `sha256`, stores nothing and rejects with MediaDigestMismatch unless the bytes have that
   * digest (as S3's PutObject does with `x-amz-checksum-sha256`). Takes the bytes: a view that is
   * the whole of its buffer may be moved rather than copied, leaving the caller's view empty.
   */
  put(key: string, bytes: Uint8Array, options?: PutOptions): Promise<void>;
  /** The whole object, or null when there is none. */
  get(key: string): Promise<Buffer | null>;
  /** The object as a stream, or null when there is none. */
  open(key: string): Promise<MediaObject | null>;
  /** Deletes the object; deleting one that does not exist is not an error (retries, races). */
  delete(key: string): Promise<void>;
}

export interface PutOptions {
  /** The bytes' SHA-256 as lowercase hex: checked before anything is stored. */
  sha256?: string;
}

const KEY_PART = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** Refuses keys that could escape the store (`..`, absolute paths) or mean different things on different stores. */
export function assertMediaKey(key: string): void {
  const parts = key.split("/");
  if (key.length === 0 || key.length > 512 || !parts.every((part) => KEY_PART.test(part))) {
    throw new TypeError(`not a media key: ${JSON.stringify(key)}`);
  }
}

import type { Readable } from "node:stream";

/** An upload's bytes and the promise to hand their memory back once nobody reads them any more. */
export interface UploadBody {
  bytes: Buffer;
  /** Returns the memory for the next upload. Only once every reader (the media writer too) is done. */
  release(): void;
}

/** The body is longer than the limit; nothing of it is kept. */
export class UploadTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`the body is larger than ${limit} bytes`);
    this.name = "UploadTooLarge";
  }
}

/** The body ended before its Content-Length, or the connection broke. */
export class UploadIncomplete extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UploadIncomplete";
  }
}

/**
 * Memory for upload bodies that is used again and again. Reading each 256 KiB segment into a new
 * Buffer made the event loop fault in fresh pages for every copy and collect them again (a fifth
 * of its time per upload in profiles); a body is read straight into a reused block of shared
 * memory instead, which the media writer threads read without a copy.
 *
 * Blocks come in powers of two from 64 KiB; at most `maxPooledBytes` wait for reuse. A body that
 * is never released is simply collected: the pool only keeps blocks handed back to it.
 */
export class UploadBodies {
  private readonly free = new Map<number, SharedArrayBuffer[]>();
  private pooledBytes = 0;

  constructor(private readonly maxPooledBytes: number) {}

  /**
   * Reads `stream` whole: into pooled memory when its length is declared, else into a Buffer of
   * its own. Rejects with UploadTooLarge past `limit` (before reading, when the declared length
   * says so) and with UploadIncomplete when it ends short of the declared length.
   */
  read(stream: Readable, declaredLength: number | null, limit: number): Promise<UploadBody> {
    if (declaredLength !== null && declaredLength > limit) {
      stream.resume();
      return Promise.reject(new UploadTooLarge(limit));
    }
    return declaredLength === null ? this.readUnsized(stream, limit) : this.readSized(stream, declaredLength);
  }

  private readSized(stream: Readable, length: number): Promise<UploadBody> {
    const block = this.take(length);
    const bytes = Buffer.from(block, 0, length);
    let received = 0;
    let released = false;
    const body: UploadBody = {
      bytes,
      release: () => {
        if (released) return;
        released = true;
        this.give(block);
      },
    };
    return collect(stream, {
      onChunk: (chunk) => {
        // Node's HTTP parser frames the body by Content-Length, so it never delivers more.
        chunk.copy(bytes, received);
        received += chunk.length;
      },
      onEnd: () => {
        if (received === length) return body;
        body.release();
        throw new UploadIncomplete(`the body ended after ${received} of its ${length} bytes`);
      },
      onError: () => body.release(),
    });
  }

  private readUnsized(stream: Readable, limit: number): Promise<UploadBody> {
    const chunks: Buffer[] = [];
    let received = 0;
    return collect(stream, {
      onChunk: (chunk) => {
        received += chunk.length;
        if (received > limit) throw new UploadTooLarge(limit);
        chunks.push(chunk);
      },
      onEnd: () => ({ bytes: Buffer.concat(chunks, received), release: () => undefined }),
      onError: () => undefined,
    });
  }

  private take(length: number): SharedArrayBuffer {
    const size = blockSize(length);
    const block = this.free.get(size)?.pop();
    if (!block) return new SharedArrayBuffer(size);
    this.pooledBytes -= size;
    return block;
  }

  private give(block: SharedArrayBuffer): void {
    if (this.pooledBytes + block.byteLength > this.maxPooledBytes) return;
    let blocks = this.free.get(block.byteLength);
    if (!blocks) {
      blocks = [];
      this.free.set(block.byteLength, blocks);
    }
    blocks.push(block);
    this.pooledBytes += block.byteLength;
  }
}

function blockSize(length: number): number {
  let size = 64 * 1024;
  while (size < length) size *= 2;
  return size;
}

/** Feeds a stream's chunks to `onChunk` and settles with `onEnd`'s value, or the first error. */
function collect<T>(
  stream: Readable,
  handlers: { onChunk(chunk: Buffer): void; onEnd(): T; onError(): void },
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const fail = (error: Error) => {
      stream.off("data", onData).off("end", onEnd).off("error", onStreamError).off("close", onClose);
      handlers.onError();
      // Drain what is left so the connection can still carry the refusal.
      stream.resume();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      try {
        handlers.onChunk(chunk);
      } catch (error) {
        fail(error as Error);
      }
    };
    const onEnd = () => {
      stream.off("data", onData).off("error", onStreamError).off("close", onClose);
      try {
        resolve(handlers.onEnd());
      } catch (error) {
        reject(error);
      }
    };
    const onStreamError = (error: Error) => fail(new UploadIncomplete(`the upload broke off: ${error.message}`));
    const onClose = () => fail(new UploadIncomplete("the connection closed before the body ended"));
    stream.on("data", onData).once("end", onEnd).once("error", onStreamError).once("close", onClose);
  });
}

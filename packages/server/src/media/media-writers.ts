import { Worker } from "node:worker_threads";

/** The bytes did not have the SHA-256 the put was told to expect; nothing was stored. */
export class MediaDigestMismatch extends Error {
  constructor() {
    super("the bytes' SHA-256 differs from the expected one");
    this.name = "MediaDigestMismatch";
  }
}

/** One durable write: `bytes` (checked against `sha256` when given) to `temporary`, renamed to `target`. */
export interface MediaWrite {
  bytes: Uint8Array;
  sha256?: string;
  temporary: string;
  target: string;
}

interface Job extends MediaWrite {
  id: number;
  resolve(): void;
  reject(error: Error): void;
}

interface Reply {
  id: number;
  outcome: "stored" | "digest_mismatch" | "failed";
  message?: string;
  code?: string;
}

/**
 * A few threads that hash and write media durably (media-writer.worker.mjs), so an upload costs
 * the server's event loop one message instead of a SHA-256 of the whole segment and eight trips
 * through libuv's thread pool — which the event loop then also no longer shares with video fsyncs.
 *
 * Each thread takes one write at a time; writes wait in one queue for the first free thread.
 * Threads start on the first write and are unreferenced while idle, so they never keep a process
 * alive that has nothing else to do: they need no closing, and one process shares them.
 */
export class MediaWriters {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job>();
  private readonly queue: Job[] = [];
  private started = 0;
  private nextId = 1;

  constructor(private readonly threads: number) {}

  /**
   * Writes `write.bytes` durably. Takes the bytes: when they are the whole of their buffer they
   * move to the writer thread without a copy and the caller's view of them is emptied. Bytes in
   * shared memory are read in place: the caller must not change them until the write settles.
   */
  write(write: MediaWrite): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...write, id: this.nextId++, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (this.started < this.threads ? this.startWorker() : undefined);
      if (!worker) return;
      const job = this.queue.shift() as Job;
      this.busy.set(worker, job);
      worker.ref();
      const { bytes, sha256, temporary, target, id } = job;
      // Shared memory (UploadBodies) is read where it is. A buffer the bytes fill whole moves to
      // the thread; a view into a bigger one (Node's pool of small Buffers) must not: it is copied.
      const shared = bytes.buffer instanceof SharedArrayBuffer;
      const movable = !shared && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
      const message = { id, sha256, temporary, target, bytes: shared || movable ? bytes : new Uint8Array(bytes) };
      worker.postMessage(message, movable ? [bytes.buffer as ArrayBuffer] : []);
    }
  }

  private startWorker(): Worker {
    this.started++;
    const worker = new Worker(new URL("./media-writer.worker.mjs", import.meta.url));
    worker.on("message", (reply: Reply) => this.finish(worker, reply));
    worker.on("error", (error) => this.lose(worker, error));
    worker.on("exit", (code) => this.lose(worker, new Error(`a media writer stopped (exit code ${code})`)));
    return worker;
  }

  private finish(worker: Worker, reply: Reply): void {
    const job = this.busy.get(worker);
    if (!job || job.id !== reply.id) return;
    this.busy.delete(worker);
    worker.unref();
    this.idle.push(worker);
    if (reply.outcome === "stored") job.resolve();
    else if (reply.outcome === "digest_mismatch") job.reject(new MediaDigestMismatch());
    else job.reject(Object.assign(new Error(reply.message ?? "the media write failed"), { code: reply.code }));
    this.dispatch();
  }

  /** A thread that died takes its write with it; the next write starts a new thread. */
  private lose(worker: Worker, error: Error): void {
    const job = this.busy.get(worker);
    const wasIdle = this.idle.indexOf(worker);
    if (!job && wasIdle < 0) return;
    this.busy.delete(worker);
    if (wasIdle >= 0) this.idle.splice(wasIdle, 1);
    this.started--;
    job?.reject(error);
    this.dispatch();
  }
}

/**
 * The process's media writers. Eight: with four, 1,000 cameras' fsyncs (two per segment) queued
 * behind each other and the cameras fell behind their 2 s cadence while visits ran; sixteen only
 * added contention for two cores (bench/README.md).
 */
export const mediaWriters = new MediaWriters(8);

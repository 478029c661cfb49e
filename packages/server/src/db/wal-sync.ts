import fs from "node:fs";

/**
 * Group commit for SQLite in WAL mode (DESIGN.md section 10). The connection runs with
 * `synchronous=NORMAL`: a commit writes its frames to the WAL without waiting for the disk.
 * Callers that must not acknowledge before their commit is durable await `flush()`, which fsyncs
 * the WAL file on the thread pool. Every commit written before an fsync starts is durable when it
 * ends, so commits that arrive while one is in flight share the next one: many requests, one
 * fsync, and the event loop never blocks on the disk.
 *
 * Sound because SQLite keeps one WAL file (same inode, reused after checkpoints) while a
 * connection is open, and itself syncs the WAL before each checkpoint and the database after.
 */
export class WalSync {
  private fd: number | null = null;
  private inFlight: Promise<void> | null = null;
  private next: Promise<void> | null = null;
  /** fsyncs run so far, for tests and benchmarks. */
  syncs = 0;

  constructor(
    private readonly walPath: string,
    private readonly fsync: (fd: number) => Promise<void> = (fd) =>
      new Promise((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve()))),
  ) {}

  /** Resolves once everything committed before the call is on disk. */
  flush(): Promise<void> {
    // A commit made while an fsync runs may have been written after it started: it needs the next.
    if (this.inFlight) {
      this.next ??= this.inFlight.then(
        () => this.startNext(),
        () => this.startNext(),
      );
      return this.next;
    }
    return this.start();
  }

  private startNext(): Promise<void> {
    this.next = null;
    return this.start();
  }

  private start(): Promise<void> {
    const run = (async () => {
      this.fd ??= fs.openSync(this.walPath, "r");
      this.syncs++;
      await this.fsync(this.fd);
    })();
    this.inFlight = run;
    const clear = () => {
      if (this.inFlight === run) this.inFlight = null;
    };
    run.then(clear, clear);
    return run;
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}

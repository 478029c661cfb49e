import type { Logger } from "pino";

/**
 * A pass that runs every `intervalMs` on every server process: never two passes of one worker at
 * once, and work started beside a pass (a command awaiting a device's answer) is awaited on stop,
 * so one slow device holds up neither the pass nor shutdown.
 */
export abstract class PeriodicWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly beside = new Set<Promise<unknown>>();

  protected constructor(
    private readonly name: string,
    protected readonly log: Logger,
  ) {}

  /** One pass; tests call it directly. */
  abstract tick(): Promise<void>;

  start(intervalMs = 1_000): void {
    this.timer = setInterval(() => {
      this.running ??= this.tick()
        .catch((err: unknown) => this.log.error({ err }, `${this.name} failed`))
        .finally(() => {
          this.running = null;
        });
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.idle();
  }

  /** Resolves once the pass in progress and the work started beside it have finished (tests). */
  async idle(): Promise<void> {
    await this.running;
    await Promise.all(this.beside);
  }

  /** Runs `work` beside the pass; its failure is logged, never thrown into the pass. */
  protected runBeside(work: Promise<unknown>): void {
    const tracked = work
      .catch((err: unknown) => this.log.warn({ err }, `${this.name}: work beside the pass failed`))
      .finally(() => this.beside.delete(tracked));
    this.beside.add(tracked);
  }
}

import type { Logger } from "pino";

/**
 * Runs `step` whenever woken — by a timer every `pollMs`, or at once by `wake()` — never twice at
 * the same time. A wake during a run makes it run again, so no signal is lost. `step` returns
 * true while there is more to do right away.
 */
export class Pump {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly name: string,
    private readonly step: () => Promise<boolean>,
    private readonly pollMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.wake(), this.pollMs);
    this.timer.unref();
    this.wake();
  }

  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
  }

  /**
   * Resolves once a run that began after this call has found nothing more to do: proof for a test
   * that the worker has had its chance, where a sleep would only hope so.
   */
  async drained(): Promise<void> {
    this.wake();
    await this.running;
  }

  /** Stops waking and waits for a run in progress to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        while (!this.stopped && (await this.step())) {}
      } catch (err) {
        // The database may be briefly unavailable; the next wake or poll tries again.
        this.log.error({ err, worker: this.name }, "background worker step failed");
        return;
      }
    } while (this.again && !this.stopped);
  }
}

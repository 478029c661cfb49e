import type { Clock } from "@threshold/core";

/**
 * Real time plus an offset a test can move forward: server and devices share it, as NTP makes
 * them. For suites that need real time to pass for brokers and sockets, yet must make a retry or
 * an expiry come due without sleeping for it.
 */
export class SteppableClock implements Clock {
  private offset = 0;
  now(): number {
    return Date.now() + this.offset;
  }
  advance(ms: number): void {
    this.offset += ms;
  }
}

import { describe, expect, it } from "vitest";
import { ManualClock } from "./clock.js";
import { ManualScheduler } from "./scheduler.js";

describe("ManualScheduler", () => {
  it("fires nothing until time is advanced, then each timer at its own time, earliest first", () => {
    const clock = new ManualClock(1_000);
    const scheduler = new ManualScheduler(clock);
    const fired: string[] = [];
    scheduler.setTimeout(() => fired.push(`late@${clock.now()}`), 300);
    scheduler.setTimeout(() => fired.push(`early@${clock.now()}`), 100);
    expect(fired).toEqual([]);
    scheduler.advance(99);
    expect(fired).toEqual([]);
    scheduler.advance(150);
    expect(fired).toEqual(["early@1100"]);
    expect(clock.now()).toBe(1_249);
    scheduler.advance(51);
    expect(fired).toEqual(["early@1100", "late@1300"]);
    expect(scheduler.size).toBe(0);
  });

  it("repeats an interval until it is cancelled, and a cancelled timer never fires", () => {
    const clock = new ManualClock(0);
    const scheduler = new ManualScheduler(clock);
    const ticks: number[] = [];
    const interval = scheduler.setInterval(() => ticks.push(clock.now()), 10);
    const never = scheduler.setTimeout(() => ticks.push(-1), 5);
    never.cancel();
    scheduler.advance(35);
    expect(ticks).toEqual([10, 20, 30]);
    interval.cancel();
    scheduler.advance(100);
    expect(ticks).toEqual([10, 20, 30]);
    expect(scheduler.size).toBe(0);
  });

  it("fires, within the same advance, a timer that a firing timer sets", () => {
    const clock = new ManualClock(0);
    const scheduler = new ManualScheduler(clock);
    const fired: number[] = [];
    scheduler.setTimeout(() => {
      fired.push(clock.now());
      scheduler.setTimeout(() => fired.push(clock.now()), 20);
    }, 10);
    scheduler.advance(30);
    expect(fired).toEqual([10, 30]);
  });

  it("refuses to move time backwards", () => {
    expect(() => new ManualScheduler(new ManualClock()).advance(-1)).toThrow(RangeError);
  });
});

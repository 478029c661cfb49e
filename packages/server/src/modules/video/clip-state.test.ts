import { describe, expect, it } from "vitest";
import { clipStatus } from "./clip-state.js";

const T = Date.UTC(2026, 10, 25, 9, 0, 0);
const run = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ startedAt: from + i * 2000, durationMs: 2000 }));

describe("clipStatus", () => {
  it("records while the window is open, and until its last segments had time to arrive", () => {
    expect(clipStatus({ from: T, until: null }, run(T - 1000, 3), T + 5000, 5000)).toEqual({
      state: "recording",
      gaps: [],
    });
    expect(clipStatus({ from: T, until: T + 10_000 }, run(T - 1000, 6), T + 14_999, 5000).state).toBe("recording");
  });

  it("is complete when video covers the window end to end, even if segments overhang it", () => {
    expect(clipStatus({ from: T, until: T + 10_000 }, run(T - 1500, 7), T + 15_000, 5000)).toEqual({
      state: "complete",
      gaps: [],
    });
  });

  it("names the holes: a camera lost mid-visit and a tail that never came", () => {
    const segments = [...run(T, 2), ...run(T + 10_000, 2)];
    const status = clipStatus({ from: T, until: T + 20_000 }, segments, T + 30_000, 5000);
    expect(status).toEqual({
      state: "incomplete",
      gaps: [
        { from: T + 4000, until: T + 10_000 },
        { from: T + 14_000, until: T + 20_000 },
      ],
    });
  });

  it("reports a middle gap while still recording, and no video at all as one gap once settled", () => {
    expect(clipStatus({ from: T, until: null }, [...run(T, 1), ...run(T + 6000, 1)], T + 8000, 5000).gaps).toEqual([
      { from: T + 2000, until: T + 6000 },
    ]);
    expect(clipStatus({ from: T, until: T + 4000 }, [], T + 10_000, 5000)).toEqual({
      state: "incomplete",
      gaps: [{ from: T, until: T + 4000 }],
    });
  });

  it("forgives jitter below half a second between segments", () => {
    const jittery = [
      { startedAt: T, durationMs: 1990 },
      { startedAt: T + 2300, durationMs: 2000 },
    ];
    expect(clipStatus({ from: T, until: T + 4000 }, jittery, T + 10_000, 5000).state).toBe("complete");
  });
});

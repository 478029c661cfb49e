import { describe, expect, it } from "vitest";
import { isDone, nextStopAfter } from "./stop-order";

const stop = (shipmentId: string, delivered = false) => ({
  shipmentId,
  deliveredAt: delivered ? "2026-11-25T09:00:00.000Z" : null,
});

describe("nextStopAfter", () => {
  it("is the next undelivered stop in route order, skipping done ones", () => {
    const stops = [stop("a"), stop("b"), stop("c", true), stop("d")];
    expect(nextStopAfter(stops, "b")?.shipmentId).toBe("d");
    expect(nextStopAfter(stops, "a")?.shipmentId).toBe("b");
  });

  it("goes back to an earlier undelivered stop at the end of the route", () => {
    const stops = [stop("a"), stop("b", true), stop("c")];
    expect(nextStopAfter(stops, "c")?.shipmentId).toBe("a");
  });

  it("is none when every other stop is done, and never the current one", () => {
    const stops = [stop("a", true), stop("b")];
    expect(nextStopAfter(stops, "b")).toBeNull();
    expect(nextStopAfter([stop("x")], "x")).toBeNull();
  });

  it("still finds a stop when the current one is no longer listed", () => {
    expect(nextStopAfter([stop("a", true), stop("b")], "gone")?.shipmentId).toBe("b");
  });

  it("counts a stop as done only once it has a delivery time", () => {
    expect(isDone(stop("a", true))).toBe(true);
    expect(isDone(stop("a"))).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { cameraFreshness } from "./freshness.js";

describe("cameraFreshness", () => {
  const newest = { receivedAt: 1_000_000, startedAt: 997_000, durationMs: 2000, signed: true };

  it("is stale, with no times, for a camera that never sent a segment", () => {
    expect(cameraFreshness(null, 1_000_000, 1000)).toEqual({
      freshness: "stale",
      lastSegmentAt: null,
      lastFrameAt: null,
    });
  });

  it("is live up to two segment durations plus the slack after arrival, and stale one millisecond later", () => {
    expect(cameraFreshness(newest, 1_000_000 + 5000, 1000)).toEqual({
      freshness: "live",
      lastSegmentAt: 1_000_000,
      lastFrameAt: 999_000,
    });
    expect(cameraFreshness(newest, 1_000_000 + 5001, 1000).freshness).toBe("stale");
    expect(cameraFreshness({ ...newest, durationMs: 1000 }, 1_000_000 + 3001, 1000).freshness).toBe("stale");
  });

  it("judges by arrival on the server's clock, not by the camera's capture time", () => {
    // A camera whose clock runs an hour behind is live while its segments keep arriving.
    const late = { ...newest, startedAt: newest.startedAt - 3_600_000 };
    expect(cameraFreshness(late, 1_000_000 + 100, 1000).freshness).toBe("live");
  });

  it("is never live on a segment the camera did not sign, and still says when its last frame was", () => {
    // Rows stored before cameras signed their video (issue 15): nobody's word for the door now.
    expect(cameraFreshness({ ...newest, signed: false }, 1_000_000 + 100, 1000)).toEqual({
      freshness: "stale",
      lastSegmentAt: 1_000_000,
      lastFrameAt: 999_000,
    });
  });
});

import { describe, expect, it } from "vitest";
import {
  type FreshnessAnswer,
  formatFrameTime,
  freshnessBadge,
  MAX_ANSWER_AGE_MS,
  retryDelayMs,
  STALL_RESTART_MS,
  shouldRestartStalled,
} from "./camera-freshness";

const NOW = Date.parse("2026-11-25T14:03:30Z");
const utc = (iso: string) => formatFrameTime(iso, "UTC");

const live: FreshnessAnswer = {
  freshness: "live",
  lastSegmentAt: "2026-11-25T14:03:29.100Z",
  lastFrameAt: "2026-11-25T14:03:29.000Z",
};
const stale: FreshnessAnswer = {
  freshness: "stale",
  lastSegmentAt: "2026-11-25T14:03:07.400Z",
  lastFrameAt: "2026-11-25T14:03:07.000Z",
};

describe("freshnessBadge", () => {
  it("says LIVE only when the server's recent answer says live", () => {
    expect(freshnessBadge(live, NOW - 500, NOW, utc)).toEqual({ state: "live", text: "LIVE" });
    expect(freshnessBadge(live, NOW - MAX_ANSWER_AGE_MS, NOW, utc).state).toBe("live");
  });

  it("is STALE with the last frame's time when the server says stale", () => {
    expect(freshnessBadge(stale, NOW - 200, NOW, utc)).toEqual({
      state: "stale",
      text: "STALE — last frame at 14:03:07",
    });
  });

  it("never keeps saying LIVE on an old answer: no answer for a while is not live", () => {
    expect(freshnessBadge(live, NOW - MAX_ANSWER_AGE_MS - 1, NOW, utc)).toEqual({
      state: "stale",
      text: "STALE — last frame at 14:03:29",
    });
  });

  it("says so when the camera never sent video", () => {
    const never: FreshnessAnswer = { freshness: "stale", lastSegmentAt: null, lastFrameAt: null };
    expect(freshnessBadge(never, NOW, NOW, utc)).toEqual({ state: "stale", text: "STALE — no video yet" });
  });

  it("claims nothing before the first answer", () => {
    const badge = freshnessBadge(undefined, 0, NOW, utc);
    expect(badge.state).toBe("checking");
    expect(badge.text).not.toMatch(/live|stale/i);
  });
});

describe("formatFrameTime", () => {
  it("is hh:mm:ss on a 24-hour clock, midnight included", () => {
    expect(formatFrameTime("2026-11-25T14:03:07.999Z", "UTC")).toBe("14:03:07");
    expect(formatFrameTime("2026-11-25T00:00:05Z", "UTC")).toBe("00:00:05");
    expect(formatFrameTime("2026-11-25T14:03:07Z", "Europe/Amsterdam")).toBe("15:03:07");
  });

  it("uses the viewer's zone by default", () => {
    expect(formatFrameTime("2026-11-25T14:03:07Z")).toMatch(/^\d\d:\d\d:\d\d$/);
  });
});

describe("retryDelayMs", () => {
  it("backs off from 2 s to 8 s and stays there", () => {
    expect([0, 1, 2, 3, 10].map(retryDelayMs)).toEqual([2_000, 4_000, 8_000, 8_000, 8_000]);
  });
});

describe("shouldRestartStalled", () => {
  it("restarts a player that has not moved for a while although the camera is live", () => {
    const base = { live: true, lastProgressAt: NOW - STALL_RESTART_MS - 1, liveSince: 0, now: NOW };
    expect(shouldRestartStalled(base)).toBe(true);
    expect(shouldRestartStalled({ ...base, lastProgressAt: NOW - 1_000 })).toBe(false);
  });

  it("leaves a still player alone while the camera is stale: there is nothing newer to play", () => {
    expect(shouldRestartStalled({ live: false, lastProgressAt: 0, liveSince: 0, now: NOW })).toBe(false);
  });

  it("gives a player the full grace after the camera comes back", () => {
    const back = { live: true, lastProgressAt: NOW - 60_000, now: NOW };
    expect(shouldRestartStalled({ ...back, liveSince: NOW - 2_000 })).toBe(false);
    expect(shouldRestartStalled({ ...back, liveSince: NOW - STALL_RESTART_MS - 1 })).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { clipMoments, clipPosition, clipStateWords, formatVideoTime } from "./proof-timeline";

const t0 = Date.parse("2026-05-01T10:00:00.000Z");
const iso = (ms: number) => new Date(t0 + ms).toISOString();
/** Three 2 s segments, then 6 s without video (the camera lost), then two more. */
const segments = [0, 2_000, 4_000, 12_000, 14_000].map((at) => ({ startedAt: iso(at), durationMs: 2_000 }));

describe("the clip on the proof", () => {
  it("says the state in words, with every gap", () => {
    const clock = (at: string) => at.slice(11, 19);
    expect(clipStateWords({ state: "recording", gaps: [] }, clock)).toBe("Recording…");
    expect(clipStateWords({ state: "complete", gaps: [] }, clock)).toBe("Complete");
    expect(
      clipStateWords(
        {
          state: "incomplete",
          gaps: [
            { from: iso(6_000), until: iso(12_000) },
            { from: iso(16_000), until: iso(20_000) },
          ],
        },
        clock,
      ),
    ).toBe("Incomplete — no video from 10:00:06 to 10:00:12, and from 10:00:16 to 10:00:20");
  });

  it("places moments in the video's own time, where a gap takes none", () => {
    expect(clipPosition(segments, iso(0))).toBe(0);
    expect(clipPosition(segments, iso(3_500))).toBe(3.5);
    expect(clipPosition(segments, iso(8_000))).toBeNull();
    expect(clipPosition(segments, iso(13_000))).toBe(7);
    expect(clipPosition(segments, iso(-1))).toBeNull();
    expect(
      clipMoments({ segments }, { openedAt: iso(1_250), securedAt: iso(9_000) }).map((m) => [m.label, m.seconds]),
    ).toEqual([
      ["Door unlocked", 1.25],
      ["Locked", null],
    ]);
    expect(clipMoments({ segments }, { openedAt: null, securedAt: null })).toEqual([]);
  });

  it("writes video positions as players do", () => {
    expect(formatVideoTime(0)).toBe("0:00");
    expect(formatVideoTime(12.9)).toBe("0:12");
    expect(formatVideoTime(65)).toBe("1:05");
    expect(formatVideoTime(3_723)).toBe("1:02:03");
  });
});

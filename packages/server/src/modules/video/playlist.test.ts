import { describe, expect, it } from "vitest";
import { clipMediaPlaylist, liveMediaPlaylist } from "./playlist.js";

describe("liveMediaPlaylist", () => {
  it("lists segments oldest first with durations, capture times and a discontinuity between streams", () => {
    const t = Date.UTC(2026, 10, 25, 9, 0, 0);
    const playlist = liveMediaPlaylist(
      [
        { id: "a", position: 41, streamNumber: 3, startedAt: t, durationMs: 2000 },
        { id: "b", position: 42, streamNumber: 3, startedAt: t + 2000, durationMs: 2480 },
        { id: "c", position: 43, streamNumber: 4, startedAt: t + 9000, durationMs: 1960 },
      ],
      (s) => `segments/${s.id}.ts`,
    );
    expect(playlist).toBe(
      [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        "#EXT-X-TARGETDURATION:3",
        "#EXT-X-MEDIA-SEQUENCE:41",
        "#EXT-X-DISCONTINUITY-SEQUENCE:3",
        "#EXT-X-PROGRAM-DATE-TIME:2026-11-25T09:00:00.000Z",
        "#EXTINF:2.000,",
        "segments/a.ts",
        "#EXT-X-PROGRAM-DATE-TIME:2026-11-25T09:00:02.000Z",
        "#EXTINF:2.480,",
        "segments/b.ts",
        "#EXT-X-DISCONTINUITY",
        "#EXT-X-PROGRAM-DATE-TIME:2026-11-25T09:00:09.000Z",
        "#EXTINF:1.960,",
        "segments/c.ts",
        "",
      ].join("\n"),
    );
  });

  it("is a valid, empty live playlist for a camera without segments", () => {
    expect(liveMediaPlaylist([], () => "")).toBe(
      "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-DISCONTINUITY-SEQUENCE:0\n",
    );
  });
});

describe("clipMediaPlaylist", () => {
  const t = Date.UTC(2026, 10, 25, 9, 0, 0);
  const segments = [
    { id: "a", position: 41, streamNumber: 3, startedAt: t, durationMs: 2000 },
    { id: "b", position: 42, streamNumber: 3, startedAt: t + 2000, durationMs: 2000 },
  ];

  it("is an EVENT playlist without an end while the clip records", () => {
    const playlist = clipMediaPlaylist(segments, (s) => `clip/segments/${s.id}.ts`, false);
    expect(playlist).toContain("#EXT-X-PLAYLIST-TYPE:EVENT\n#EXT-X-MEDIA-SEQUENCE:0\n");
    expect(playlist).toContain("clip/segments/b.ts\n");
    expect(playlist).not.toContain("#EXT-X-ENDLIST");
  });

  it("is a VOD playlist that ends once the clip is finished", () => {
    const playlist = clipMediaPlaylist(segments, (s) => `clip/segments/${s.id}.ts`, true);
    expect(playlist).toContain("#EXT-X-PLAYLIST-TYPE:VOD\n");
    expect(playlist.endsWith("clip/segments/b.ts\n#EXT-X-ENDLIST\n")).toBe(true);
  });
});

import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { contentSha256, GENESIS_SEGMENT_HASH, type SegmentChainInput, segmentChainHash } from "./segment-chain.js";

const first: SegmentChainInput = {
  prevHash: GENESIS_SEGMENT_HASH,
  deviceId: "dev_camera_1",
  sequence: 0,
  startedAt: 1_764_048_000_000,
  durationMs: 2000,
  contentSha256: contentSha256(new TextEncoder().encode("segment zero")),
};

describe("segment chain", () => {
  it("hashes the bytes with SHA-256", () => {
    expect(contentSha256(new TextEncoder().encode("abc"))).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    expect(GENESIS_SEGMENT_HASH).toBe("0".repeat(64));
  });

  it("is SHA-256 of the canonical JSON written in docs/video.md", () => {
    // Written out by hand so a change to the construction (a renamed or added member, another
    // encoding) fails here instead of silently breaking every stored chain and proof.
    const canonical =
      '{"contentSha256":"f808a5c65b058ab8df7ab311792f2c42e5d8d917b4e3fa79696d36ddf5e0b50a",' +
      '"deviceId":"dev_camera_1","durationMs":2000,' +
      `"prevHash":"${"0".repeat(64)}","sequence":0,"startedAt":1764048000000}`;
    expect(first.contentSha256).toBe("f808a5c65b058ab8df7ab311792f2c42e5d8d917b4e3fa79696d36ddf5e0b50a");
    expect(segmentChainHash(first)).toBe(createHash("sha256").update(canonical).digest("hex"));
    expect(segmentChainHash(first)).toBe("2e71819f4b7f8f1ce19795a6ba8cda73a58ccc464d621126e044874242b31b42");
  });

  it("changes when any member changes", () => {
    const base = segmentChainHash(first);
    const variants: SegmentChainInput[] = [
      { ...first, prevHash: "1".repeat(64) },
      { ...first, deviceId: "dev_camera_2" },
      { ...first, sequence: 1 },
      { ...first, startedAt: first.startedAt + 1 },
      { ...first, durationMs: 1999 },
      { ...first, contentSha256: contentSha256(new Uint8Array([0x47])) },
    ];
    const hashes = new Set(variants.map(segmentChainHash));
    expect(hashes.size).toBe(variants.length);
    expect(hashes.has(base)).toBe(false);
  });

  it("ignores members outside the construction and the order keys were written in", () => {
    const extra = { ...first, visitId: "vis_1", streamId: "s" } as SegmentChainInput;
    const reordered: SegmentChainInput = {
      contentSha256: first.contentSha256,
      durationMs: first.durationMs,
      startedAt: first.startedAt,
      sequence: first.sequence,
      deviceId: first.deviceId,
      prevHash: first.prevHash,
    };
    expect(segmentChainHash(extra)).toBe(segmentChainHash(first));
    expect(segmentChainHash(reordered)).toBe(segmentChainHash(first));
  });

  it("links: each segment's prevHash is the chain hash of the one before", () => {
    const second = { ...first, sequence: 1, startedAt: first.startedAt + 2000, prevHash: segmentChainHash(first) };
    const swapped = { ...second, prevHash: GENESIS_SEGMENT_HASH };
    expect(segmentChainHash(second)).not.toBe(segmentChainHash(swapped));
  });

  it("refuses values that two implementations could encode differently", () => {
    expect(() => segmentChainHash({ ...first, startedAt: 1.5 })).toThrow(TypeError);
    expect(() => segmentChainHash({ ...first, sequence: -1 })).toThrow(/sequence/);
    expect(() => segmentChainHash({ ...first, durationMs: Number.NaN })).toThrow(/durationMs/);
    expect(() => segmentChainHash({ ...first, startedAt: 2 ** 53 })).toThrow(/startedAt/);
    expect(() => segmentChainHash({ ...first, prevHash: "A".repeat(64) })).toThrow(/prevHash/);
    expect(() => segmentChainHash({ ...first, contentSha256: "abc" })).toThrow(/contentSha256/);
    expect(() => segmentChainHash({ ...first, deviceId: "" })).toThrow(/deviceId/);
  });
});

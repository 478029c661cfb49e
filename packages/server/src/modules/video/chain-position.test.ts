import { GENESIS_SEGMENT_HASH } from "@threshold/protocol";
import { describe, expect, it } from "vitest";
import { type ChainHead, placeInChain } from "./chain-position.js";

const A = "a".repeat(64);
const B = "b".repeat(64);
const head: ChainHead = { position: 7, streamNumber: 2, sequence: 3, startedAt: 10_000, chainHash: A };

describe("placeInChain", () => {
  it("starts a camera's first stream at position 0", () => {
    expect(placeInChain(null, { sequence: 0, prevHash: GENESIS_SEGMENT_HASH, startedAt: 1 }, false)).toEqual({
      ok: true,
      position: 0,
      streamNumber: 0,
    });
  });

  it("appends the next link of the stream", () => {
    expect(placeInChain(head, { sequence: 4, prevHash: A, startedAt: 12_000 }, false)).toEqual({
      ok: true,
      position: 8,
      streamNumber: 2,
    });
  });

  it("starts a new stream only after the newest stored segment", () => {
    const genesis = { sequence: 0, prevHash: GENESIS_SEGMENT_HASH };
    expect(placeInChain(head, { ...genesis, startedAt: 10_001 }, false)).toEqual({
      ok: true,
      position: 8,
      streamNumber: 3,
    });
    expect(placeInChain(head, { ...genesis, startedAt: 10_000 }, false)).toMatchObject({ code: "segment_replayed" });
  });

  it("refuses a genesis link anywhere but at sequence 0, and sequence 0 without it", () => {
    expect(placeInChain(head, { sequence: 4, prevHash: GENESIS_SEGMENT_HASH, startedAt: 1 }, false)).toMatchObject({
      code: "segment_chain_invalid",
    });
    expect(placeInChain(head, { sequence: 0, prevHash: A, startedAt: 20_000 }, true)).toMatchObject({
      code: "segment_chain_invalid",
    });
  });

  it("names gaps ahead of the head and replays at or behind it", () => {
    expect(placeInChain(null, { sequence: 1, prevHash: A, startedAt: 1 }, false)).toMatchObject({
      code: "segment_gap",
    });
    expect(placeInChain(head, { sequence: 6, prevHash: A, startedAt: 1 }, false)).toMatchObject({
      code: "segment_gap",
    });
    expect(placeInChain(head, { sequence: 3, prevHash: A, startedAt: 1 }, false)).toMatchObject({
      code: "segment_replayed",
    });
    // Not linking to the head: a link to an older stored segment was sent before; to an unknown one follows a gap.
    expect(placeInChain(head, { sequence: 3, prevHash: B, startedAt: 1 }, true)).toMatchObject({
      code: "segment_replayed",
    });
    expect(placeInChain(head, { sequence: 9, prevHash: B, startedAt: 1 }, false)).toMatchObject({
      code: "segment_gap",
    });
  });
});

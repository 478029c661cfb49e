import type { ErrorCode } from "@threshold/core";
import { GENESIS_SEGMENT_HASH } from "@threshold/protocol";

/** The camera's newest stored segment: the link every upload must extend. */
export interface ChainHead {
  position: number;
  streamNumber: number;
  sequence: number;
  startedAt: number;
  chainHash: string;
}

/** What an upload claims about its place in the chain (its chain hash already verified). */
export interface ChainClaim {
  sequence: number;
  prevHash: string;
  startedAt: number;
}

export type ChainPlacement =
  | { ok: true; position: number; streamNumber: number }
  | {
      ok: false;
      code: Extract<ErrorCode, "segment_gap" | "segment_replayed" | "segment_chain_invalid">;
      message: string;
    };

/**
 * Where an uploaded segment goes in its camera's chain, or why it cannot go anywhere. A camera's
 * segments form one line: each stream starts at sequence 0 from the genesis hash (and must start
 * after everything stored, so an old stream cannot be sent again), and every other segment must
 * link to the newest stored one with the next sequence. `position` numbers the camera's segments
 * across streams; the database keeps it unique per camera, which settles racing uploads.
 *
 * `prevHashStored` says whether `claim.prevHash` is the chain hash of one of the camera's stored
 * segments: a segment linking to an older stored segment is a replay, one linking to a segment
 * the server never received follows a gap.
 */
export function placeInChain(head: ChainHead | null, claim: ChainClaim, prevHashStored: boolean): ChainPlacement {
  const startsStream = claim.sequence === 0;
  if (startsStream !== (claim.prevHash === GENESIS_SEGMENT_HASH)) {
    return {
      ok: false,
      code: "segment_chain_invalid",
      message: "A stream's first segment (sequence 0), and only it, links to the genesis hash.",
    };
  }
  if (startsStream) {
    if (head && claim.startedAt <= head.startedAt) {
      return {
        ok: false,
        code: "segment_replayed",
        message: "A new stream must start after the camera's newest stored segment; this one starts before it.",
      };
    }
    return { ok: true, position: head ? head.position + 1 : 0, streamNumber: head ? head.streamNumber + 1 : 0 };
  }
  if (!head) {
    return {
      ok: false,
      code: "segment_gap",
      message: "No segment of this camera is stored yet; start a new stream at sequence 0.",
    };
  }
  if (claim.prevHash === head.chainHash) {
    if (claim.sequence === head.sequence + 1) {
      return { ok: true, position: head.position + 1, streamNumber: head.streamNumber };
    }
    return claim.sequence > head.sequence
      ? { ok: false, code: "segment_gap", message: `The next segment is sequence ${head.sequence + 1}.` }
      : { ok: false, code: "segment_replayed", message: `Sequence ${claim.sequence} is already stored.` };
  }
  return prevHashStored
    ? {
        ok: false,
        code: "segment_replayed",
        message: "This segment links to an earlier stored segment, not the newest; it was sent before.",
      }
    : {
        ok: false,
        code: "segment_gap",
        message: `This segment does not link to the camera's newest stored segment (sequence ${head.sequence}); segments are missing in between.`,
      };
}

import { contentSha256, GENESIS_SEGMENT_HASH, segmentChainHash } from "@threshold/protocol";

/** What the chain adds to a segment: its place in the stream and the hashes that pin it there. */
export interface ChainedSegmentFields {
  sequence: number;
  prevHash: string;
  chainHash: string;
  contentSha256: string;
}

/**
 * The camera's side of the segment chain (docs/video.md) for one stream: numbers segments from 0
 * and links each to the one before, starting from the genesis hash.
 */
export class SegmentChainer {
  private sequence = 0;
  private prevHash = GENESIS_SEGMENT_HASH;

  constructor(private readonly deviceId: string) {}

  next(data: Uint8Array, startedAt: number, durationMs: number): ChainedSegmentFields {
    const fields = {
      prevHash: this.prevHash,
      deviceId: this.deviceId,
      sequence: this.sequence,
      startedAt,
      durationMs,
      contentSha256: contentSha256(data),
    };
    const chainHash = segmentChainHash(fields);
    this.sequence += 1;
    this.prevHash = chainHash;
    return { sequence: fields.sequence, prevHash: fields.prevHash, chainHash, contentSha256: fields.contentSha256 };
  }
}

/** One finished piece of video, ready to be hashed into the chain and uploaded (DESIGN.md section 7). */
export interface VideoSegment {
  /** Increases by one with every segment of a recording. */
  sequence: number;
  /** The visit being recorded, when the recording is for one. */
  visitId?: string;
  /** Capture time of the first frame, milliseconds since the Unix epoch. */
  startedAt: number;
  durationMs: number;
  /** MPEG-TS or fMP4 bytes of one HLS segment. */
  data: Uint8Array;
  /** One recording from start() to stop(); `sequence` and the chain restart with every stream. */
  streamId?: string;
  /** SHA-256 of `data`, lowercase hex (segmentChainHash in @threshold/protocol). */
  contentSha256?: string;
  /** `chainHash` of the stream's previous segment, or GENESIS_SEGMENT_HASH for its first. */
  prevHash?: string;
  /** segmentChainHash of this segment: what the next one links to. */
  chainHash?: string;
}

/**
 * Where a camera's video comes from. The camera agent only starts and stops it; a real
 * implementation (ffmpeg writing 2 s HLS segments) and the uploader plug in here without the
 * agent knowing which one it has.
 */
export interface VideoSource {
  /**
   * Begins producing segments, tagged with `visitId` when given. When already producing, only the
   * tag changes: the stream (and its chain) goes on without a gap.
   */
  start(visitId?: string): Promise<void>;
  stop(): Promise<void>;
  /** Calls `listener` with every finished segment; returns a function that stops it. */
  onSegment(listener: (segment: VideoSegment) => void): () => void;
  /**
   * Calls `listener` when the source stopped producing by itself (an encoder that crashed or hung);
   * returns a function that stops it. Sources that cannot fail need not offer it.
   */
  onError?(listener: (error: Error) => void): () => void;
  /** Simulation only: segments stop reaching the listeners while the source looks started. */
  freeze?(): void;
  unfreeze?(): void;
  /** Simulation only: true between freeze() and unfreeze(). */
  readonly frozen?: boolean;
}

/** A source that records nothing: the stand-in until real video lands. */
export class NoVideoSource implements VideoSource {
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  onSegment(): () => void {
    return () => {};
  }
}

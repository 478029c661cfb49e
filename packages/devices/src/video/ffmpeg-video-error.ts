/**
 * ffmpeg failed: it could not start, exited while recording, or stopped producing segments. The
 * message ends with what ffmpeg last wrote to stderr, because "exit code 1" alone helps nobody.
 */
export class FfmpegVideoError extends Error {
  constructor(
    summary: string,
    readonly stderr: string[] = [],
    readonly exitCode: number | null = null,
    readonly signal: NodeJS.Signals | null = null,
  ) {
    super(stderr.length > 0 ? `${summary}; ffmpeg said:\n${stderr.join("\n")}` : summary);
    this.name = "FfmpegVideoError";
  }
}

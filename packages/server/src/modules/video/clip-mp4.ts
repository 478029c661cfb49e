import { spawn } from "node:child_process";
import { PassThrough, Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ThresholdError } from "@threshold/core";

/**
 * Remuxes MPEG-TS segments into one MP4 with ffmpeg, without re-encoding (`-c copy`: fast, and the
 * pictures are the camera's own). The output is fragmented MP4 (`empty_moov`), the form that can
 * be written to a pipe and so streamed while it is made, and which every current player opens.
 *
 * Resolves with the MP4 stream once ffmpeg produced its first bytes, so a clip ffmpeg cannot read
 * is an error answer (`clip_unplayable`), not a download that breaks off.
 */
export async function remuxToMp4(ffmpegPath: string, segments: AsyncIterable<Buffer>): Promise<Readable> {
  const ffmpeg = spawn(
    ffmpegPath,
    [
      ...["-hide_banner", "-loglevel", "error", "-nostdin"],
      // A clip that spans a camera restart has timestamps that start over; generate what is missing.
      ...["-fflags", "+genpts", "-f", "mpegts", "-i", "pipe:0"],
      ...["-map", "0:v:0", "-c", "copy", "-movflags", "frag_keyframe+empty_moov+default_base_moof"],
      ...["-f", "mp4", "pipe:1"],
    ],
    { stdio: ["pipe", "pipe", "pipe"] },
  );
  const stderr: string[] = [];
  ffmpeg.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    if (stderr.join("").length < 4000) stderr.push(chunk);
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    ffmpeg.once("error", reject);
    ffmpeg.once("close", (code) => resolve(code));
  });
  // Feeding stops quietly if ffmpeg gives up early (EPIPE): its exit code tells what happened.
  const feeding = pipeline(Readable.from(segments), ffmpeg.stdin).catch((error: unknown) => error);

  const first = await new Promise<Buffer | null>((resolve, reject) => {
    ffmpeg.stdout.once("data", (chunk: Buffer) => {
      ffmpeg.stdout.pause();
      resolve(chunk);
    });
    exited.then(() => resolve(null), reject);
  });
  if (first === null) {
    const fed = await feeding;
    if (fed instanceof ThresholdError) throw fed;
    throw new ThresholdError(
      "clip_unplayable",
      "The clip's video could not be made into an MP4; play it as HLS instead.",
      {
        ffmpeg: stderr.join("").trim().split("\n").slice(-3).join("\n"),
      },
    );
  }
  const output = new PassThrough();
  output.write(first);
  ffmpeg.stdout.pipe(output);
  // The client went away: stop ffmpeg instead of letting it fill a pipe nobody reads.
  output.once("close", () => {
    if (ffmpeg.exitCode === null) ffmpeg.kill("SIGKILL");
  });
  void feeding;
  return output;
}

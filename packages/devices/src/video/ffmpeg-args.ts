/** How the test pattern looks and how it is cut; see testPatternArgs. */
export interface TestPatternOptions {
  width: number;
  height: number;
  fps: number;
  segmentSeconds: number;
  /**
   * The camera's name and a wall clock burnt into the picture, or nothing when no font works.
   * `nameFile` is read by drawtext (relative to ffmpeg's working directory) so the name needs no
   * escaping; `fontFile` null lets drawtext ask fontconfig for its default font.
   */
  overlay?: { nameFile: string; fontFile: string | null };
}

/** The name pattern of the segment files ffmpeg writes into its working directory. */
export const SEGMENT_FILE_PATTERN = "seg-%06d.ts";

/**
 * ffmpeg arguments for a live test pattern cut into MPEG-TS segments.
 *
 * - `-re` paces the synthetic source at real time, so a 2 s segment takes 2 s, like a camera.
 * - A keyframe every `segmentSeconds` exactly (GOP = fps × seconds, scene-cut detection off)
 *   makes every segment start with one, so each plays on its own: HLS needs that, and so does a
 *   visit clip that begins at an arbitrary segment.
 * - `-f segment` with a CSV segment list on stdout prints `name,start,end` once a segment is
 *   finished and closed, which is exactly the moment we may read it. An HLS playlist written to
 *   disk would have to be watched and re-parsed, and is rewritten before files are complete on
 *   some platforms; the server builds its own playlists from uploads anyway.
 * - Timestamps run on across segments (no reset) so the server can concatenate them into a
 *   playlist without discontinuities.
 */
export function testPatternArgs(options: TestPatternOptions): string[] {
  const { width, height, fps, segmentSeconds, overlay } = options;
  const gop = String(Math.round(fps * segmentSeconds));
  return [
    "-hide_banner",
    "-nostdin",
    // Errors only, so the stderr tail we attach to failures is the reason and not progress noise.
    "-loglevel",
    "error",
    "-re",
    "-f",
    "lavfi",
    "-i",
    `testsrc2=size=${width}x${height}:rate=${fps}`,
    ...(overlay ? ["-vf", overlayFilter(overlay, height)] : []),
    "-an",
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-tune",
    "zerolatency",
    "-pix_fmt",
    "yuv420p",
    "-g",
    gop,
    "-keyint_min",
    gop,
    "-sc_threshold",
    "0",
    "-f",
    "segment",
    "-segment_time",
    String(segmentSeconds),
    "-segment_format",
    "mpegts",
    "-segment_list",
    "pipe:1",
    "-segment_list_type",
    "csv",
    SEGMENT_FILE_PATTERN,
  ];
}

/** Two drawtext filters at the bottom left (testsrc2 draws its own counter at the top left). */
function overlayFilter(overlay: NonNullable<TestPatternOptions["overlay"]>, height: number): string {
  const size = Math.max(12, Math.round(height / 18));
  const common = [
    ...(overlay.fontFile === null ? [] : [`fontfile=${escapeFilterValue(overlay.fontFile)}`]),
    `fontsize=${size}`,
    "fontcolor=white",
    "box=1",
    "boxcolor=black@0.6",
    "boxborderw=4",
    "x=10",
  ];
  const name = [
    "drawtext",
    [`textfile=${escapeFilterValue(overlay.nameFile)}`, "expansion=none", ...common, `y=h-${2 * size + 24}`].join(":"),
  ];
  // %{localtime} is expanded by drawtext for every frame: the wall clock a viewer sees move.
  const clock = ["drawtext", ["text=%{localtime}", ...common, `y=h-${size + 12}`].join(":")];
  return [name, clock].map(([filter, args]) => `${filter}=${args}`).join(",");
}

/**
 * Escapes a value for a filter option inside a -vf graph: once for the option list (\ ' :) and
 * once more for the graph (\ ' [ ] , ;), as ffmpeg's "Notes on filtergraph escaping" describe.
 * Font paths are the user's, and may hold any of these.
 */
export function escapeFilterValue(value: string): string {
  const optionLevel = value.replace(/[\\':]/g, (c) => `\\${c}`);
  return optionLevel.replace(/[\\'[\],;]/g, (c) => `\\${c}`);
}

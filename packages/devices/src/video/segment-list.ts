/** One line of ffmpeg's CSV segment list: a segment file that is finished and closed. */
export interface FinishedSegmentFile {
  /** The file name, relative to ffmpeg's working directory. */
  file: string;
  /** Offsets of the segment's first frame and its end, seconds from ffmpeg's first frame. */
  startSeconds: number;
  endSeconds: number;
}

/**
 * Parses `name,start,end` (ffmpeg quotes the name when it holds a comma or quote). Anything else,
 * or a name that tries to leave the directory, is refused: we read and delete the file it names.
 */
export function parseSegmentListLine(line: string): FinishedSegmentFile | undefined {
  const match = /^("(?:[^"]|"")*"|[^",]*),(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)\s*$/.exec(line);
  if (!match) return undefined;
  const [, rawName = "", start = "", end = ""] = match;
  const file = rawName.startsWith('"') ? rawName.slice(1, -1).replaceAll('""', '"') : rawName;
  if (file === "" || file.includes("/") || file.includes("\\") || file === "." || file === "..") return undefined;
  const startSeconds = Number(start);
  const endSeconds = Number(end);
  if (!(endSeconds >= startSeconds)) return undefined;
  return { file, startSeconds, endSeconds };
}

import { spawnSync } from "node:child_process";

/**
 * The version an ffmpeg binary reports ("5.1.9-0+deb12u1", "N-47683-g0e8eb07980-static"), or
 * undefined when it does not run or says something else: shown at start, so whoever reads a
 * failing camera's log knows which of the many ffmpeg builds produced it.
 */
export function ffmpegVersion(path: string, timeoutMs = 5000): string | undefined {
  const run = spawnSync(path, ["-hide_banner", "-version"], { encoding: "utf8", timeout: timeoutMs });
  if (run.status !== 0 || typeof run.stdout !== "string") return undefined;
  return /^ffmpeg version (\S+)/m.exec(run.stdout)?.[1];
}

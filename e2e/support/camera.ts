import { execFileSync } from "node:child_process";
import fs from "node:fs";

/**
 * The demo camera's encoder, frozen and thawed from outside: the 2017 Cloud Cam attack, for real.
 * The demo runs its fleet in-process and the porch camera's video is an ffmpeg child of the demo
 * server (`testsrc2` on its command line, docs/video.md). SIGSTOP freezes it: the camera stays
 * connected, the playlist keeps its last segments, and only the server's freshness can tell.
 *
 * Only this run's ffmpeg is touched: other runs (and other ffmpegs) on the machine have another
 * DATA_DIR in their environment, which ffmpeg inherits from the demo server.
 */
export function demoCameraEncoders(): number[] {
  const dataDir = process.env.E2E_DATA_DIR;
  if (!dataDir) throw new Error("E2E_DATA_DIR is not set: run the browser tests through e2e/run.ts");
  let listed: string;
  try {
    listed = execFileSync("pgrep", ["-f", "testsrc2="], { encoding: "utf8" });
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
  return listed
    .split("\n")
    .map(Number)
    .filter((pid) => Number.isInteger(pid) && pid > 0 && environmentOf(pid).includes(`DATA_DIR=${dataDir}`));
}

function environmentOf(pid: number): string[] {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
  } catch {
    return []; // gone since pgrep listed it, or not ours to read
  }
}

/** A frozen camera; `resume()` is safe to call more than once and after the process is gone. */
export interface FrozenCamera {
  pids: number[];
  resume(): void;
}

/** SIGSTOPs the demo camera's ffmpeg. Throws when there is none to freeze. */
export function freezeDemoCamera(): FrozenCamera {
  const pids = demoCameraEncoders();
  if (pids.length === 0) throw new Error("found no ffmpeg of the demo camera (testsrc2 with this run's DATA_DIR)");
  for (const pid of pids) process.kill(pid, "SIGSTOP");
  return {
    pids,
    resume: () => {
      // The camera agent may have replaced a stalled encoder meanwhile: thaw whatever is ours.
      for (const pid of new Set([...pids, ...demoCameraEncoders()])) {
        try {
          process.kill(pid, "SIGCONT");
        } catch {
          // already gone: the agent restarted its video
        }
      }
    },
  };
}

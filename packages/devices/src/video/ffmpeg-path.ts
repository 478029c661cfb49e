import { accessSync, constants, statSync } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, join } from "node:path";

const BINARY = process.platform === "win32" ? "ffmpeg.exe" : "ffmpeg";

/**
 * Which ffmpeg the camera runs: FFMPEG_PATH when set, else an `ffmpeg` on PATH (a system build is
 * usually newer and may have hardware encoders), else the binary that `npm ci` installed with
 * @ffmpeg-installer/ffmpeg. A FFMPEG_PATH that points nowhere is an error, not a silent fallback:
 * whoever set it expects that binary to run.
 */
export function findFfmpeg(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.FFMPEG_PATH;
  if (override !== undefined && override !== "") {
    if (!isExecutableFile(override)) {
      throw new Error(
        `FFMPEG_PATH is set to "${override}", but there is no executable file there; point it at an ffmpeg binary or unset it to use the ffmpeg on PATH or the bundled one.`,
      );
    }
    return override;
  }
  return onPath(env.PATH ?? "") ?? installedFfmpeg();
}

function onPath(pathList: string): string | undefined {
  for (const dir of pathList.split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, BINARY);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Loaded on demand rather than imported: the installer package throws while loading on a platform
 * it has no binary for, and that must not break a machine whose ffmpeg comes from PATH.
 */
function installedFfmpeg(): string {
  let installed: unknown;
  try {
    installed = createRequire(import.meta.url)("@ffmpeg-installer/ffmpeg");
  } catch (error) {
    throw new Error(
      `No ffmpeg found: FFMPEG_PATH is unset, there is no ffmpeg on PATH, and the bundled @ffmpeg-installer/ffmpeg is unusable (${String(error)}).`,
    );
  }
  const path = (installed as { path?: unknown } | null)?.path;
  if (typeof path !== "string" || !isExecutableFile(path)) {
    throw new Error(
      "No ffmpeg found: FFMPEG_PATH is unset, there is no ffmpeg on PATH, and the bundled one is missing.",
    );
  }
  return path;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

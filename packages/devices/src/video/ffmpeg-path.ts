import { accessSync, constants, statSync } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, join } from "node:path";

const BINARY = process.platform === "win32" ? "ffmpeg.exe" : "ffmpeg";
const BUNDLED = "@ffmpeg-installer/ffmpeg";

/** Where the ffmpeg that runs came from: the person's choice, their system, or what npm installed. */
export type FfmpegSource = "FFMPEG_PATH" | "PATH" | "bundled";

/** Which ffmpeg a camera would run, or every reason there is none, each said once. */
export type FfmpegLookup = { found: true; path: string; source: FfmpegSource } | { found: false; problems: string[] };

/** Loads the installer package; a test passes its own to play a machine where it is missing. */
export type LoadBundledFfmpeg = () => unknown;

const loadInstalled: LoadBundledFfmpeg = () => createRequire(import.meta.url)(BUNDLED);

/**
 * Which ffmpeg the camera runs: FFMPEG_PATH when set, else an `ffmpeg` on PATH (a system build is
 * usually newer and may have hardware encoders), else the binary that `npm ci` installed with
 * @ffmpeg-installer/ffmpeg. A FFMPEG_PATH that points nowhere is an error, not a silent fallback:
 * whoever set it expects that binary to run.
 */
export function lookUpFfmpeg(
  env: NodeJS.ProcessEnv = process.env,
  loadBundled: LoadBundledFfmpeg = loadInstalled,
): FfmpegLookup {
  const override = env.FFMPEG_PATH;
  if (override !== undefined && override !== "") {
    if (isExecutableFile(override)) return { found: true, path: override, source: "FFMPEG_PATH" };
    return {
      found: false,
      problems: [
        `FFMPEG_PATH is set to "${override}", but there is no executable file there; point it at an ffmpeg binary or unset it to use the ffmpeg on PATH or the bundled one`,
      ],
    };
  }
  const onPath = findOnPath(env.PATH ?? "");
  if (onPath) return { found: true, path: onPath, source: "PATH" };
  const bundled = bundledFfmpeg(loadBundled);
  if (typeof bundled === "string") return { found: true, path: bundled, source: "bundled" };
  return { found: false, problems: ["FFMPEG_PATH is unset", "there is no ffmpeg on PATH", bundled.problem] };
}

/** The ffmpeg to run (lookUpFfmpeg), or an error that says every reason there is none. */
export function findFfmpeg(env: NodeJS.ProcessEnv = process.env, loadBundled?: LoadBundledFfmpeg): string {
  const lookup = lookUpFfmpeg(env, loadBundled);
  if (lookup.found) return lookup.path;
  const [only] = lookup.problems;
  throw new Error(lookup.problems.length === 1 ? `${only}.` : `No ffmpeg found: ${lookup.problems.join("; ")}.`);
}

function findOnPath(pathList: string): string | undefined {
  for (const dir of pathList.split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, BINARY);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Loaded on demand rather than imported: the installer package throws while loading on a platform
 * it has no binary for, and that must not break a machine whose ffmpeg comes from PATH. Its own
 * message lists the paths it tried, often the same one twice; ours says what is missing instead.
 */
function bundledFfmpeg(load: LoadBundledFfmpeg): string | { problem: string } {
  const platform = `${process.platform}-${process.arch}`;
  let installed: unknown;
  try {
    installed = load();
  } catch (error) {
    if (isModuleNotFound(error)) return { problem: `the bundled ${BUNDLED} is not installed` };
    if (String(error).includes("Unsupported platform")) {
      return { problem: `the bundled ${BUNDLED} has no binary for ${platform}` };
    }
    return {
      problem: `the bundled ${BUNDLED} has no binary installed for ${platform} (@ffmpeg-installer/${platform})`,
    };
  }
  const path = (installed as { path?: unknown } | null)?.path;
  if (typeof path !== "string" || !isExecutableFile(path)) {
    return {
      problem: `the bundled ffmpeg${typeof path === "string" ? ` at ${path}` : ""} is missing or not executable`,
    };
  }
  return path;
}

function isModuleNotFound(error: unknown): boolean {
  return (
    error instanceof Error && "code" in error && error.code === "MODULE_NOT_FOUND" && error.message.includes(BUNDLED)
  );
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

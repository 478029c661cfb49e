import { type FfmpegLookup, type FfmpegSource, ffmpegVersion, lookUpFfmpeg } from "@threshold/devices/control";

/** The ffmpeg the demo's camera films with, or why it has none. */
export type CameraVideo =
  | { ffmpeg: true; path: string; source: FfmpegSource; version: string | undefined }
  | { ffmpeg: false; problems: string[] };

/** Looks up the ffmpeg the camera would run (lookUpFfmpeg) and asks it its version. */
export function cameraVideo(env: NodeJS.ProcessEnv): CameraVideo {
  return cameraVideoOf(lookUpFfmpeg(env), ffmpegVersion);
}

export function cameraVideoOf(lookup: FfmpegLookup, versionOf: (path: string) => string | undefined): CameraVideo {
  if (!lookup.found) return { ffmpeg: false, problems: lookup.problems };
  return { ffmpeg: true, path: lookup.path, source: lookup.source, version: versionOf(lookup.path) };
}

const SOURCE_WORDS: Record<FfmpegSource, string> = {
  FFMPEG_PATH: "set by FFMPEG_PATH",
  PATH: "the system's, found on PATH",
  bundled: "the one npm installed with @ffmpeg-installer/ffmpeg; an ffmpeg on PATH would be preferred",
};

/** One line, printed at start and in the banner: which ffmpeg films, or that none does. */
export function cameraVideoLine(video: CameraVideo): string {
  if (!video.ffmpeg) return "no ffmpeg: the porch camera films nothing (see NO CAMERA VIDEO)";
  const version = video.version ? `ffmpeg ${video.version}` : "ffmpeg (it did not say its version: does it run?)";
  return `${version} at ${video.path} (${SOURCE_WORDS[video.source]})`;
}

/**
 * What a person must know when there is no ffmpeg: why, what does not work, and how to fix it.
 * Empty when there is one. The demo still starts: lockers and the car's trunk need no camera.
 */
export function noFfmpegLines(video: CameraVideo): string[] {
  if (video.ffmpeg) return [];
  return [
    `  NO CAMERA VIDEO: no ffmpeg found (${video.problems.join("; ")}).`,
    "    Without it the porch camera sends no video, so it never shows LIVE, no delivery is recorded,",
    "    and every scan for Alex's front door is refused with camera_not_live. Lockers and the car's",
    "    trunk work without it.",
    "    Fix: install ffmpeg (Debian/Ubuntu: sudo apt-get install ffmpeg; macOS: brew install ffmpeg),",
    "    or set FFMPEG_PATH to an ffmpeg binary; then stop the demo (Ctrl-C) and start it again.",
  ];
}

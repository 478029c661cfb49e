import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { VideoSegment } from "../video-source.js";
import type { FfmpegVideoError } from "./ffmpeg-video-error.js";
import { FfmpegVideoSource, type FfmpegVideoSourceOptions } from "./ffmpeg-video-source.js";

const roots: string[] = [];
const sources: FfmpegVideoSource[] = [];
afterEach(async () => {
  for (const source of sources.splice(0)) await source.stop();
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A source whose temp dirs go under a fresh root, so a test can see that nothing is left. */
function setup(options: (root: string) => Partial<FfmpegVideoSourceOptions>) {
  const root = mkdtempSync(join(tmpdir(), "threshold-video-fail-"));
  roots.push(root);
  const tempRoot = join(root, "streams");
  mkdirSync(tempRoot);
  const logs: string[] = [];
  const errors: FfmpegVideoError[] = [];
  const segments: VideoSegment[] = [];
  const source = new FfmpegVideoSource({
    deviceId: "dev_cam_fail",
    cameraName: "Back door",
    tempRoot,
    log: (line) => logs.push(line),
    ...options(root),
  });
  sources.push(source);
  source.onError((error) => errors.push(error));
  source.onSegment((segment) => segments.push(segment));
  return { tempRoot, source, logs, errors, segments };
}

/** A stand-in ffmpeg: a shell script, so each failure is instant and certain. */
function script(root: string, body: string): string {
  const path = join(root, "fake-ffmpeg");
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe.skipIf(process.platform === "win32")("FfmpegVideoSource failures", () => {
  it("refuses to start with a FFMPEG_PATH that points nowhere, and says why", async () => {
    const { source, tempRoot } = setup((root) => ({ env: { FFMPEG_PATH: join(root, "missing"), PATH: "" } }));
    await expect(source.start()).rejects.toThrow(/FFMPEG_PATH is set to ".*missing", but there is no executable file/);
    expect(source.started).toBe(false);
    expect(readdirSync(tempRoot)).toEqual([]);
  });

  it("rejects start() when ffmpeg cannot be spawned, leaving nothing behind", async () => {
    const { source, tempRoot, errors } = setup((root) => {
      const notExecutable = join(root, "not-executable");
      writeFileSync(notExecutable, "");
      return { ffmpegPath: notExecutable };
    });
    await expect(source.start()).rejects.toThrow(/could not start ffmpeg .*not-executable/);
    expect(source.started).toBe(false);
    expect(errors).toEqual([]); // one report, the rejection, not two
    expect(readdirSync(tempRoot)).toEqual([]);
  });

  it("reports an ffmpeg that exits while recording, with what it said last", async () => {
    const { source, tempRoot, errors } = setup((root) => ({
      ffmpegPath: script(root, 'echo "first line" >&2; echo "Unknown encoder libx264" >&2; exit 3'),
    }));
    await source.start();
    await until(() => errors.length > 0 && !source.started, 15_000);
    const [error] = errors;
    expect(error?.exitCode).toBe(3);
    expect(error?.stderr).toEqual(["first line", "Unknown encoder libx264"]);
    expect(error?.message).toMatch(/exited with code 3[\s\S]*Unknown encoder libx264/);
    await until(() => readdirSync(tempRoot).length === 0, 15_000);
    expect(source.pid).toBeUndefined();
  });

  it("reports an ffmpeg that runs but lists no segment, instead of hanging silently", async () => {
    const { source, errors } = setup((root) => ({
      ffmpegPath: script(root, 'echo "waiting for a device" >&2; exec sleep 30'),
      stallTimeoutMs: 300,
      stopTimeoutMs: 500,
    }));
    await source.start();
    await until(() => errors.length > 0, 15_000);
    expect(errors[0]?.message).toMatch(/no segment for [\s\S]*waiting for a device/);
    expect(source.started).toBe(true); // reported, not hidden by tearing the stream down
    const pid = source.pid;
    await source.stop();
    expect(() => process.kill(pid ?? -1, 0)).toThrow();
  });

  it("records without the overlay, and logs why, when drawtext finds no font", async () => {
    // An empty fontconfig and no font file: drawtext cannot load any font and ffmpeg exits at once.
    const { source, logs, errors, segments } = setup((root) => {
      const conf = join(root, "fonts.conf");
      writeFileSync(conf, '<?xml version="1.0"?><fontconfig></fontconfig>');
      return { fontFile: null, env: { ...process.env, FONTCONFIG_FILE: conf } };
    });
    await source.start();
    await until(() => segments.length > 0, 15_000);
    expect(logs.some((line) => /no usable font .*without the name and clock overlay/.test(line))).toBe(true);
    expect(errors).toEqual([]);
    expect(segments[0]?.sequence).toBe(0);
    expect(segments[0]?.data[0]).toBe(0x47);
  });
});

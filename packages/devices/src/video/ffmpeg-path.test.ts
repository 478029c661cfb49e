import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findFfmpeg, lookUpFfmpeg } from "./ffmpeg-path.js";
import { ffmpegVersion } from "./ffmpeg-version.js";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "threshold-ffmpeg-path-"));
  dirs.push(dir);
  return dir;
}
function fakeFfmpeg(dir: string, script = "exit 0"): string {
  const path = join(dir, process.platform === "win32" ? "ffmpeg.exe" : "ffmpeg");
  writeFileSync(path, `#!/bin/sh\n${script}\n`);
  chmodSync(path, 0o755);
  return path;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("findFfmpeg", () => {
  it("uses FFMPEG_PATH when set, before anything on PATH", () => {
    const chosen = fakeFfmpeg(tempDir());
    const onPath = tempDir();
    fakeFfmpeg(onPath);
    expect(findFfmpeg({ FFMPEG_PATH: chosen, PATH: onPath })).toBe(chosen);
  });

  it("says clearly that a FFMPEG_PATH pointing nowhere is wrong, instead of falling back", () => {
    const missing = join(tempDir(), "no-such-ffmpeg");
    expect(() => findFfmpeg({ FFMPEG_PATH: missing, PATH: "" })).toThrow(
      `FFMPEG_PATH is set to "${missing}", but there is no executable file there`,
    );
    // A directory is not a binary either.
    expect(() => findFfmpeg({ FFMPEG_PATH: tempDir() })).toThrow(/FFMPEG_PATH is set to/);
  });

  it("takes the first ffmpeg on PATH, skipping directories without one", () => {
    const empty = tempDir();
    const withFfmpeg = tempDir();
    const expected = fakeFfmpeg(withFfmpeg);
    expect(findFfmpeg({ PATH: [empty, withFfmpeg].join(process.platform === "win32" ? ";" : ":") })).toBe(expected);
  });

  it("falls back to the binary npm installed when nothing else is there", () => {
    const path = findFfmpeg({ PATH: tempDir() });
    expect(path).toMatch(/@ffmpeg-installer[\\/][^\\/]+[\\/]ffmpeg(\.exe)?$/);
  });

  it("says where each ffmpeg came from", () => {
    const chosen = fakeFfmpeg(tempDir());
    expect(lookUpFfmpeg({ FFMPEG_PATH: chosen })).toEqual({ found: true, path: chosen, source: "FFMPEG_PATH" });
    const onPath = tempDir();
    expect(lookUpFfmpeg({ PATH: onPath })).toMatchObject({ found: true, source: "bundled" });
    const system = fakeFfmpeg(onPath);
    expect(lookUpFfmpeg({ PATH: onPath })).toEqual({ found: true, path: system, source: "PATH" });
  });

  it("says each reason once when there is no ffmpeg anywhere, not the installer's list of paths", () => {
    const binary = "/srv/app/node_modules/@ffmpeg-installer/linux-x64/ffmpeg";
    const installerThrows = () => {
      // What @ffmpeg-installer/ffmpeg throws when its binary package is absent: a string, one path twice.
      throw `Could not find ffmpeg executable, tried "${binary}", "/srv/app/node_modules/@ffmpeg-installer/ffmpeg/node_modules/@ffmpeg-installer/linux-x64/ffmpeg" and "${binary}"`;
    };
    const lookup = lookUpFfmpeg({ PATH: tempDir() }, installerThrows);
    expect(lookup).toEqual({
      found: false,
      problems: [
        "FFMPEG_PATH is unset",
        "there is no ffmpeg on PATH",
        `the bundled @ffmpeg-installer/ffmpeg has no binary installed for ${process.platform}-${process.arch} (@ffmpeg-installer/${process.platform}-${process.arch})`,
      ],
    });
    expect(() => findFfmpeg({ PATH: tempDir() }, installerThrows)).toThrow(
      /^No ffmpeg found: FFMPEG_PATH is unset; there is no ffmpeg on PATH; the bundled .* has no binary installed/,
    );
    expect(() => findFfmpeg({ PATH: tempDir() }, installerThrows)).not.toThrow(binary);
  });

  it("says the bundled ffmpeg is not installed when its package is missing", () => {
    const notInstalled = () => {
      throw Object.assign(new Error("Cannot find module '@ffmpeg-installer/ffmpeg'"), { code: "MODULE_NOT_FOUND" });
    };
    expect(lookUpFfmpeg({ PATH: tempDir() }, notInstalled)).toMatchObject({
      found: false,
      problems: expect.arrayContaining(["the bundled @ffmpeg-installer/ffmpeg is not installed"]),
    });
  });
});

describe("ffmpegVersion", () => {
  it("reads the version from the first line ffmpeg prints", () => {
    const fake = fakeFfmpeg(
      tempDir(),
      'echo "ffmpeg version 9.9.1-test Copyright (c) 2000-2026 the FFmpeg developers"',
    );
    expect(ffmpegVersion(fake)).toBe("9.9.1-test");
  });

  it("answers undefined for a binary that fails or is not ffmpeg", () => {
    expect(ffmpegVersion(fakeFfmpeg(tempDir(), "exit 1"))).toBeUndefined();
    expect(ffmpegVersion(fakeFfmpeg(tempDir(), "echo hello"))).toBeUndefined();
    expect(ffmpegVersion(join(tempDir(), "no-such-ffmpeg"))).toBeUndefined();
  });

  it("reads the real ffmpeg's version", () => {
    expect(ffmpegVersion(findFfmpeg())).toMatch(/^\S+$/);
  });
});

import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findFfmpeg } from "./ffmpeg-path.js";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "threshold-ffmpeg-path-"));
  dirs.push(dir);
  return dir;
}
function fakeFfmpeg(dir: string): string {
  const path = join(dir, process.platform === "win32" ? "ffmpeg.exe" : "ffmpeg");
  writeFileSync(path, "#!/bin/sh\nexit 0\n");
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
});

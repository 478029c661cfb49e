import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { escapeFilterValue, testPatternArgs } from "./ffmpeg-args.js";
import { findFfmpeg } from "./ffmpeg-path.js";
import { findFontFile } from "./font-file.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const base = { width: 640, height: 360, fps: 10, segmentSeconds: 2 };

function valueAfter(args: string[], flag: string): string | undefined {
  const index = args.indexOf(flag);
  return index < 0 ? undefined : args[index + 1];
}

describe("testPatternArgs", () => {
  it("puts a keyframe at every segment boundary and cuts 2 s MPEG-TS segments listed on stdout", () => {
    const args = testPatternArgs(base);
    expect(valueAfter(args, "-i")).toBe("testsrc2=size=640x360:rate=10");
    expect(valueAfter(args, "-g")).toBe("20");
    expect(valueAfter(args, "-keyint_min")).toBe("20");
    expect(valueAfter(args, "-sc_threshold")).toBe("0");
    expect(valueAfter(args, "-c:v")).toBe("libx264");
    expect(valueAfter(args, "-tune")).toBe("zerolatency");
    expect(valueAfter(args, "-segment_time")).toBe("2");
    expect(valueAfter(args, "-segment_format")).toBe("mpegts");
    expect(valueAfter(args, "-segment_list")).toBe("pipe:1");
    expect(valueAfter(args, "-segment_list_type")).toBe("csv");
    expect(args).toContain("-re");
    expect(args).not.toContain("-vf");
  });

  it("draws the name from a file and the local time when there is an overlay", () => {
    const args = testPatternArgs({ ...base, overlay: { nameFile: "name.txt", fontFile: "/fonts/a.ttf" } });
    const filter = valueAfter(args, "-vf") ?? "";
    expect(filter).toContain("textfile=name.txt:expansion=none");
    expect(filter).toContain("text=%{localtime}");
    expect(filter).toContain("fontfile=/fonts/a.ttf");
    const fontconfig = valueAfter(testPatternArgs({ ...base, overlay: { nameFile: "n", fontFile: null } }), "-vf");
    expect(fontconfig).not.toContain("fontfile");
  });
});

describe("escapeFilterValue", () => {
  it("escapes for the option list and then for the graph", () => {
    expect(escapeFilterValue("/plain/path.ttf")).toBe("/plain/path.ttf");
    expect(escapeFilterValue("a:b")).toBe("a\\\\:b");
    expect(escapeFilterValue("a,b")).toBe("a\\,b");
    expect(escapeFilterValue("it's")).toBe("it\\\\\\'s");
  });

  it("gets a font path full of special characters through to a real ffmpeg", () => {
    const font = findFontFile();
    if (font === null) return; // No font on this machine: nothing to load.
    const root = mkdtempSync(join(tmpdir(), "threshold-escape-"));
    dirs.push(root);
    const weird = join(root, "we:ird, dir's [x];");
    mkdirSync(weird);
    copyFileSync(font, join(weird, "font.ttf"));
    // An empty fontconfig makes a font path that did not survive escaping fail instead of falling back.
    writeFileSync(join(root, "fonts.conf"), '<?xml version="1.0"?><fontconfig></fontconfig>');
    const filter = `drawtext=fontfile=${escapeFilterValue(join(weird, "font.ttf"))}:text=ok`;
    const env = { ...process.env, FONTCONFIG_FILE: join(root, "fonts.conf") };
    const run = (vf: string) =>
      spawnSync(
        findFfmpeg(),
        ["-hide_banner", "-nostdin", "-f", "lavfi", "-i", "testsrc2", "-vf", vf, "-frames:v", "1", "-f", "null", "-"],
        {
          env,
          encoding: "utf8",
        },
      );
    const good = run(filter);
    expect(good.status, good.stderr).toBe(0);
    const unescaped = run(`drawtext=fontfile=${join(weird, "font.ttf")}:text=ok`);
    expect(unescaped.status).not.toBe(0);
  });
});

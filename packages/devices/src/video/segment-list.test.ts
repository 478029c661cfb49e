import { describe, expect, it } from "vitest";
import { LineTail } from "./line-tail.js";
import { parseSegmentListLine } from "./segment-list.js";

describe("parseSegmentListLine", () => {
  it("reads ffmpeg's name,start,end", () => {
    expect(parseSegmentListLine("seg-000001.ts,2.000000,4.000000")).toEqual({
      file: "seg-000001.ts",
      startSeconds: 2,
      endSeconds: 4,
    });
    expect(parseSegmentListLine('"a,""b"".ts",0.5,1.25')).toEqual({
      file: 'a,"b".ts',
      startSeconds: 0.5,
      endSeconds: 1.25,
    });
  });

  it("refuses lines that are not a finished segment in our directory", () => {
    for (const line of ["", "frame=1", "seg.ts,4,2", "seg.ts,x,2", "../etc/passwd,0,2", "/tmp/x.ts,0,2", "..,0,2"]) {
      expect(parseSegmentListLine(line), line).toBeUndefined();
    }
  });
});

describe("LineTail", () => {
  it("keeps the last lines, across chunks, with the unfinished one", () => {
    const tail = new LineTail(2);
    tail.push("one\ntw");
    tail.push("o\r\n\nthree\nfou");
    expect(tail.lines()).toEqual(["two", "three", "fou"]);
  });
});

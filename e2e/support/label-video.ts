import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import bwipjs from "bwip-js";
import { PNG } from "pngjs";

/**
 * A parcel label filmed by a steady camera: the Code 128 barcode of `trackingNumber`, black on
 * white, centred on a white frame, written as a Y4M video that Chromium plays as its fake camera
 * (--use-file-for-fake-video-capture). The app then reads it through getUserMedia like a real one.
 */
export async function writeLabelVideo(trackingNumber: string, options: { frames?: number } = {}): Promise<string> {
  const png = PNG.sync.read(
    await bwipjs.toBuffer({
      bcid: "code128",
      text: trackingNumber,
      scale: 3,
      height: 12,
      includetext: true,
      paddingwidth: 20,
      paddingheight: 20,
      backgroundcolor: "FFFFFF",
    }),
  );
  // At least VGA, large enough for the label, and even: 4:2:0 halves both dimensions.
  const width = even(Math.max(640, png.width + 40));
  const height = even(Math.max(480, png.height + 40));
  const rgba = centreOnWhite(png, width, height);
  const frame = toI420(rgba, width, height);

  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`, "ascii");
  const frameHeader = Buffer.from("FRAME\n", "ascii");
  const count = options.frames ?? 10;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "threshold-label-")), "label.y4m");
  fs.writeFileSync(file, Buffer.concat([header, ...Array.from({ length: count }, () => [frameHeader, frame]).flat()]));
  return file;
}

const even = (n: number) => n + (n % 2);

function centreOnWhite(label: PNG, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height * 4).fill(255);
  const left = Math.floor((width - label.width) / 2);
  const top = Math.floor((height - label.height) / 2);
  for (let y = 0; y < label.height; y++) {
    const from = y * label.width * 4;
    out.set(label.data.subarray(from, from + label.width * 4), ((top + y) * width + left) * 4);
  }
  return out;
}

/** RGBA → planar Y, U, V (JPEG/full-range BT.601), chroma averaged over each 2×2 block. */
function toI420(rgba: Uint8Array, width: number, height: number): Buffer {
  const ySize = width * height;
  const cWidth = width / 2;
  const cSize = cWidth * (height / 2);
  const out = Buffer.alloc(ySize + 2 * cSize);
  const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
  const rgbAt = (x: number, y: number) => {
    const i = (y * width + x) * 4;
    return [rgba[i] ?? 255, rgba[i + 1] ?? 255, rgba[i + 2] ?? 255] as const;
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = rgbAt(x, y);
      out[y * width + x] = clamp(0.299 * r + 0.587 * g + 0.114 * b);
    }
  }
  for (let y = 0; y < height; y += 2) {
    for (let x = 0; x < width; x += 2) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dx, dy] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ] as const) {
        const [pr, pg, pb] = rgbAt(x + dx, y + dy);
        r += pr / 4;
        g += pg / 4;
        b += pb / 4;
      }
      const c = (y / 2) * cWidth + x / 2;
      out[ySize + c] = clamp(128 - 0.168736 * r - 0.331264 * g + 0.5 * b);
      out[ySize + cSize + c] = clamp(128 + 0.5 * r - 0.418688 * g - 0.081312 * b);
    }
  }
  return out;
}

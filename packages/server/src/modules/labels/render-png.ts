import bwipjs from "bwip-js/node";
import { LABEL_DPI, LABEL_HEIGHT, LABEL_WIDTH, type LabelOp, type TextOp } from "./layout.js";
import { encodeGreyPng } from "./png.js";

// bwip-js's built-in OCR-B: a font made to be read at a glance on labels, and already in the package.
const FONT = bwipjs.FontLib.lookup("OCR-B");
const ELLIPSIS = "...";

/** A greyscale page, white to start with. */
class Page {
  readonly pixels: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.pixels = new Uint8Array(width * height).fill(255);
  }

  fillRect(x: number, y: number, width: number, height: number, grey: number): void {
    const left = Math.max(0, Math.round(x));
    const right = Math.min(this.width, Math.round(x + width));
    const top = Math.max(0, Math.round(y));
    const bottom = Math.min(this.height, Math.round(y + height));
    for (let row = top; row < bottom; row++) this.pixels.fill(grey, row * this.width + left, row * this.width + right);
  }

  /** Paints `grey` over the pixel with coverage `alpha` (0–255), the way a glyph's edges are drawn. */
  blend(x: number, y: number, grey: number, alpha: number): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const index = y * this.width + x;
    const under = this.pixels[index] as number;
    this.pixels[index] = Math.round(under + ((grey - under) * alpha) / 255);
  }
}

function glyphOf(code: number, size: number) {
  return bwipjs.FontLib.getglyph(FONT, code, size, size);
}

function widthOf(text: string, size: number): number {
  let width = 0;
  for (let i = 0; i < text.length; i++) width += glyphOf(text.charCodeAt(i), size).advance;
  return width;
}

/** The text, cut and ended with "..." when it is wider than `maxWidth`. */
function fitted(text: string, size: number, maxWidth: number): string {
  if (widthOf(text, size) <= maxWidth) return text;
  let cut = text;
  while (cut.length > 0 && widthOf(cut + ELLIPSIS, size) > maxWidth) cut = cut.slice(0, -1);
  return cut.trimEnd() + ELLIPSIS;
}

function drawText(page: Page, op: TextOp): void {
  const text = fitted(op.text, op.size, op.maxWidth);
  const grey = op.inverse ? 255 : 0;
  // OCR-B has one weight; bold is the same glyph struck twice, a dot apart, as label printers do.
  const strikes = op.bold ? [0, 1] : [0];
  const left = op.align === "center" ? op.x + Math.round((op.maxWidth - widthOf(text, op.size)) / 2) : op.x;
  for (const offset of strikes) {
    let x = left + offset;
    for (let i = 0; i < text.length; i++) {
      const glyph = glyphOf(text.charCodeAt(i), op.size);
      for (let row = 0; row < glyph.height; row++) {
        for (let col = 0; col < glyph.width; col++) {
          const alpha = glyph.bytes[glyph.offset + row * glyph.width + col] as number;
          if (alpha) page.blend(x + glyph.left + col, op.y - glyph.top + row, grey, alpha);
        }
      }
      x += glyph.advance;
    }
  }
}

/** The label as a 4×6 inch, 203 dpi greyscale PNG: what a thermal label printer prints one to one. */
export function renderLabelPng(ops: readonly LabelOp[]): Buffer {
  const page = new Page(LABEL_WIDTH, LABEL_HEIGHT);
  for (const op of ops) {
    if (op.kind === "rect") page.fillRect(op.x, op.y, op.width, op.height, 0);
    else drawText(page, op);
  }
  return encodeGreyPng(page.pixels, page.width, page.height, LABEL_DPI);
}

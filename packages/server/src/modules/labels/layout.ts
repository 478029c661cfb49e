import bwipjs from "bwip-js/node";
import type { LabelContent } from "./content.js";

/**
 * A label as drawing operations on a 4×6 inch page, in printer dots at 203 dpi — the size and
 * resolution of the thermal label printers couriers' depots use. Both renderers (PNG and PDF)
 * draw these same operations, so the two formats cannot disagree about what a label says.
 */
export const LABEL_DPI = 203;
export const LABEL_WIDTH = 4 * LABEL_DPI;
export const LABEL_HEIGHT = 6 * LABEL_DPI;

/** A filled black rectangle: rules, badges, barcode bars and QR modules alike. */
export interface RectOp {
  kind: "rect";
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * One line of text; `y` is its baseline. It sits at `x`, or is centred in the box from `x` that is
 * `maxWidth` wide; renderers measure it in their own font and cut it to `maxWidth` with "...".
 */
export interface TextOp {
  kind: "text";
  x: number;
  align: "left" | "center";
  y: number;
  size: number;
  bold: boolean;
  /** White on a black rect drawn before it. */
  inverse: boolean;
  maxWidth: number;
  text: string;
}

export type LabelOp = RectOp | TextOp;

const MARGIN = 24;
const INNER_WIDTH = LABEL_WIDTH - 2 * MARGIN;

/**
 * Label text is printed in plain ASCII: the raster font (bwip-js's OCR-B) has no accented
 * letters, and a courier reads "Zurich" as surely as "Zürich". Accents are dropped, anything
 * else outside ASCII becomes "?".
 */
export function labelText(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .replace(/[^\x20-\x7e]/g, "?");
}

class LayoutBuilder {
  readonly ops: LabelOp[] = [];

  rect(x: number, y: number, width: number, height: number): void {
    this.ops.push({ kind: "rect", x, y, width, height });
  }

  text(
    x: number,
    y: number,
    size: number,
    text: string,
    options: { bold?: boolean; inverse?: boolean; maxWidth?: number; center?: boolean } = {},
  ) {
    this.ops.push({
      kind: "text",
      x,
      align: options.center ? "center" : "left",
      y,
      size,
      bold: options.bold ?? false,
      inverse: options.inverse ?? false,
      maxWidth: options.maxWidth ?? LABEL_WIDTH - MARGIN - x,
      text: labelText(text),
    });
  }

  rule(y: number, thickness = 3): void {
    this.rect(MARGIN, y, INNER_WIDTH, thickness);
  }
}

const METHOD_WORDS: Record<string, string> = {
  in_home: "IN-HOME",
  in_garage: "IN-GARAGE",
  in_fridge: "IN-FRIDGE",
  in_trunk: "IN-TRUNK",
  locker: "LOCKER",
  doorstep: "DOORSTEP",
};

/** "Wed 25 Nov 14:00 - 18:00 CET", in the site's zone; both dates when the window crosses midnight. */
export function windowLines(window: LabelContent["window"], timeZone: string): [string, string] {
  const day = new Intl.DateTimeFormat("en-GB", { timeZone, weekday: "short", day: "numeric", month: "short" });
  const time = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const zone =
    new Intl.DateTimeFormat("en-GB", { timeZone, timeZoneName: "short" })
      .formatToParts(window.start)
      .find((part) => part.type === "timeZoneName")?.value ?? timeZone;
  const startDay = day.format(window.start);
  const endDay = day.format(window.end);
  if (startDay === endDay) return [startDay, `${time.format(window.start)} - ${time.format(window.end)} ${zone}`];
  return [`${startDay} ${time.format(window.start)} -`, `${endDay} ${time.format(window.end)} ${zone}`];
}

function detailsOf(content: LabelContent): string[] {
  const lines: string[] = [];
  if (content.perishable) lines.push("PERISHABLE - KEEP COOL");
  if (content.signatureRequired) lines.push("SIGNATURE REQUIRED");
  if (content.weightG !== null) lines.push(`Weight ${(content.weightG / 1000).toFixed(1)} kg`);
  if (content.size) lines.push(`${content.size.lengthCm} x ${content.size.widthCm} x ${content.size.heightCm} cm`);
  return lines;
}

/** A QR code of `text` in a `side`-dot square from (x, y), quiet zone included, with whole-dot modules. */
function drawQr(layout: LayoutBuilder, text: string, x: number, y: number, side: number): void {
  const [symbol] = bwipjs.raw("qrcode", text, "eclevel=M");
  if (!symbol || !("pixs" in symbol)) throw new Error("bwip-js returned no QR matrix");
  const quiet = 4;
  const moduleSize = Math.floor(side / (symbol.pixx + 2 * quiet));
  const left = x + quiet * moduleSize;
  const top = y + quiet * moduleSize;
  for (let row = 0; row < symbol.pixy; row++) {
    // Runs of dark modules become one rect: fewer operations, and no seams in the PDF.
    let runStart = -1;
    for (let col = 0; col <= symbol.pixx; col++) {
      const dark = col < symbol.pixx && symbol.pixs[row * symbol.pixx + col] === 1;
      if (dark && runStart < 0) runStart = col;
      if (!dark && runStart >= 0) {
        layout.rect(left + runStart * moduleSize, top + row * moduleSize, (col - runStart) * moduleSize, moduleSize);
        runStart = -1;
      }
    }
  }
}

/**
 * A Code 128 of `text`, centred, with whole-dot module widths (a bar of 2.5 dots prints as 2 or 3
 * and scanners misread it) and a 10-module quiet zone on each side.
 */
function drawCode128(layout: LayoutBuilder, text: string, top: number, height: number): void {
  const [symbol] = bwipjs.raw("code128", text, {});
  if (!symbol || !("sbs" in symbol)) throw new Error("bwip-js returned no Code 128 bars");
  const modules = symbol.sbs.reduce((sum, width) => sum + width, 0);
  const quiet = 10;
  const moduleWidth = Math.max(1, Math.min(4, Math.floor(INNER_WIDTH / (modules + 2 * quiet))));
  let x = Math.round((LABEL_WIDTH - modules * moduleWidth) / 2);
  symbol.sbs.forEach((width, index) => {
    // sbs alternates bar, space, bar, … starting with a bar.
    if (index % 2 === 0) layout.rect(x, top, width * moduleWidth, height);
    x += width * moduleWidth;
  });
}

/** The label of one shipment: carrier and method, ship-to block, window, QR with handling, Code 128. */
export function layoutLabel(content: LabelContent): LabelOp[] {
  const layout = new LayoutBuilder();

  // Carrier and method: what sorts the parcel at the depot.
  const method = METHOD_WORDS[content.method] ?? content.method.toUpperCase();
  const badgeWidth = 250;
  const badgeLeft = LABEL_WIDTH - MARGIN - badgeWidth;
  layout.text(MARGIN, 76, 40, content.carrierName, { bold: true, maxWidth: badgeLeft - MARGIN - 16 });
  layout.text(MARGIN, 112, 22, "Secure delivery - Threshold", { maxWidth: badgeLeft - MARGIN - 16 });
  layout.rect(badgeLeft, 30, badgeWidth, 90);
  layout.text(badgeLeft + 12, 89, 36, method, { bold: true, inverse: true, center: true, maxWidth: badgeWidth - 24 });
  layout.rule(140);

  // Ship to.
  let y = 182;
  layout.text(MARGIN, y, 24, "SHIP TO");
  y += 56;
  layout.text(MARGIN, y, 48, content.recipientName, { bold: true });
  const { line1, line2, postalCode, city, country } = content.address;
  for (const line of [line1, line2, `${postalCode} ${city.toUpperCase()}`, country]) {
    if (!line) continue;
    y += 46;
    layout.text(MARGIN, y, 36, line);
  }
  y += 42;
  layout.text(MARGIN, y, 26, `Site: ${content.siteName}`);
  y += 26;
  layout.rule(y);

  // Window.
  y += 40;
  layout.text(MARGIN, y, 24, "DELIVERY WINDOW");
  const [windowDay, windowTimes] = windowLines(content.window, content.timeZone);
  y += 46;
  layout.text(MARGIN, y, 36, windowDay, { bold: true });
  y += 44;
  layout.text(MARGIN, y, 36, windowTimes, { bold: true });
  y += 24;
  layout.rule(y);

  // QR of the tracking number, with handling details beside it.
  const qrTop = y + 12;
  const qrSide = 270;
  drawQr(layout, content.trackingNumber, MARGIN - 8, qrTop, qrSide);
  const detailX = MARGIN + qrSide + 8;
  let detailY = qrTop + 56;
  for (const line of detailsOf(content)) {
    layout.text(detailX, detailY, 28, line, { bold: line === line.toUpperCase() });
    detailY += 40;
  }
  layout.text(detailX, qrTop + qrSide - 30, 20, content.shipmentId);

  // The barcode a depot scanner reads, with the tracking number under it for people.
  const barcodeTop = LABEL_HEIGHT - MARGIN - 260;
  layout.rule(barcodeTop - 24);
  drawCode128(layout, content.trackingNumber, barcodeTop, 190);
  layout.text(MARGIN, LABEL_HEIGHT - MARGIN - 14, 40, content.trackingNumber, {
    bold: true,
    center: true,
    maxWidth: INNER_WIDTH,
  });
  return layout.ops;
}

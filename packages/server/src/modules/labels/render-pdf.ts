import { PDFDocument, type PDFFont, rgb, StandardFonts } from "pdf-lib";
import { LABEL_DPI, LABEL_HEIGHT, LABEL_WIDTH, type LabelOp } from "./layout.js";

/** PDF points per label dot: the PDF page is the same 4×6 inches, drawn in vectors. */
const POINTS_PER_DOT = 72 / LABEL_DPI;
const ELLIPSIS = "...";

function fitted(font: PDFFont, text: string, size: number, maxWidth: number): string {
  if (font.widthOfTextAtSize(text, size) <= maxWidth) return text;
  let cut = text;
  while (cut.length > 0 && font.widthOfTextAtSize(cut + ELLIPSIS, size) > maxWidth) cut = cut.slice(0, -1);
  return cut.trimEnd() + ELLIPSIS;
}

/**
 * The label as a one-page 4×6 inch PDF. Bars and QR modules are vector rectangles rather than an
 * embedded picture, so they stay sharp on any printer at any resolution.
 */
export async function renderLabelPdf(ops: readonly LabelOp[], title: string): Promise<Uint8Array> {
  const document = await PDFDocument.create();
  document.setTitle(title);
  document.setCreator("Threshold");
  document.setProducer("Threshold");
  const page = document.addPage([LABEL_WIDTH * POINTS_PER_DOT, LABEL_HEIGHT * POINTS_PER_DOT]);
  const regular = await document.embedFont(StandardFonts.Helvetica);
  const bold = await document.embedFont(StandardFonts.HelveticaBold);
  const pageHeight = page.getHeight();
  for (const op of ops) {
    if (op.kind === "rect") {
      page.drawRectangle({
        x: op.x * POINTS_PER_DOT,
        y: pageHeight - (op.y + op.height) * POINTS_PER_DOT,
        width: op.width * POINTS_PER_DOT,
        height: op.height * POINTS_PER_DOT,
        color: rgb(0, 0, 0),
      });
      continue;
    }
    const font = op.bold ? bold : regular;
    // The raster font's size is its cell height; Helvetica's em runs taller, so it is set a little smaller.
    const size = op.size * POINTS_PER_DOT * 0.9;
    const boxWidth = op.maxWidth * POINTS_PER_DOT;
    const text = fitted(font, op.text, size, boxWidth);
    const indent = op.align === "center" ? (boxWidth - font.widthOfTextAtSize(text, size)) / 2 : 0;
    page.drawText(text, {
      x: op.x * POINTS_PER_DOT + indent,
      y: pageHeight - op.y * POINTS_PER_DOT,
      size,
      font,
      color: op.inverse ? rgb(1, 1, 1) : rgb(0, 0, 0),
    });
  }
  // A classic cross-reference table rather than object streams: older printer drivers read only that.
  return document.save({ useObjectStreams: false });
}

import { describe, expect, it } from "vitest";
import { LABEL_HEIGHT, LABEL_WIDTH, labelText, layoutLabel, windowLines } from "./layout.js";

const CONTENT = {
  shipmentId: "shp_01jz8x0000000000000000000a",
  trackingNumber: "DEMO-20261125-A",
  carrierName: "Parcelo Express",
  recipientName: "Alex Morgan",
  address: { line1: "12 Canal Street", line2: null, postalCode: "1012 AB", city: "Amsterdam", country: "NL" },
  siteName: "Alex's home",
  method: "in_home",
  window: { start: Date.UTC(2026, 10, 25, 13, 0), end: Date.UTC(2026, 10, 25, 17, 0) },
  timeZone: "Europe/Amsterdam",
  perishable: false,
  signatureRequired: true,
  weightG: null,
  size: null,
};

describe("label layout", () => {
  it("prints the window in the site's zone, and both dates when it crosses midnight", () => {
    expect(windowLines(CONTENT.window, "Europe/Amsterdam")).toEqual(["Wed 25 Nov", "14:00 - 18:00 CET"]);
    expect(windowLines({ start: Date.UTC(2026, 10, 25, 21), end: Date.UTC(2026, 10, 26, 1) }, "UTC")).toEqual([
      "Wed 25 Nov 21:00 -",
      "Thu 26 Nov 01:00 UTC",
    ]);
  });

  it("keeps label text to printable ASCII", () => {
    expect(labelText("Zoë Çelik, Straße 5 — 2°")).toBe("Zoe Celik, Stra?e 5 ? 2?");
  });

  it("says everything a courier needs and keeps every mark on the page", () => {
    const ops = layoutLabel(CONTENT);
    const texts = ops.flatMap((op) => (op.kind === "text" ? [op.text] : []));
    expect(texts).toEqual(
      expect.arrayContaining([
        "Parcelo Express",
        "IN-HOME",
        "Alex Morgan",
        "12 Canal Street",
        "1012 AB AMSTERDAM",
        "Site: Alex's home",
        "SIGNATURE REQUIRED",
        "DEMO-20261125-A",
      ]),
    );
    for (const op of ops) {
      expect(op.x).toBeGreaterThanOrEqual(0);
      expect(op.y).toBeGreaterThanOrEqual(0);
      if (op.kind === "rect") {
        expect(op.x + op.width).toBeLessThanOrEqual(LABEL_WIDTH);
        expect(op.y + op.height).toBeLessThanOrEqual(LABEL_HEIGHT);
      } else {
        expect(op.y).toBeLessThanOrEqual(LABEL_HEIGHT);
      }
    }
  });
});

import { describe, expect, it } from "vitest";
import { checkArchitecture, explainAdded, explainGone } from "./index.js";

/**
 * The ratchet on packages/server/src: no breach beyond docs/architecture-baseline.json, and no
 * entry there that the code has already fixed. Reads files only; starts nothing.
 */
describe("server architecture", () => {
  const report = checkArchitecture();

  it("has no breach of the layout rules beyond the baseline", () => {
    expect(report.comparison.added.map(explainAdded)).toEqual([]);
  });

  it("has no baseline entry that no longer occurs (the baseline only shrinks)", () => {
    expect(report.comparison.gone.map(explainGone)).toEqual([]);
  });

  it("reads a graph of the size the server has (a check that reads nothing passes everything)", () => {
    expect(report.graph.files.length).toBeGreaterThan(100);
    expect(report.graph.edges.filter((edge) => edge.internal).length).toBeGreaterThan(500);
    expect(report.graph.files.some((file) => file.path === "modules/visits/service.ts")).toBe(true);
  });
});

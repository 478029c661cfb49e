import { describe, expect, it } from "vitest";
import { cyclicComponents } from "./scc.js";

const graph = (pairs: [string, string][]): Map<string, Set<string>> => {
  const edges = new Map<string, Set<string>>();
  for (const [from, to] of pairs) {
    if (!edges.has(from)) edges.set(from, new Set());
    if (!edges.has(to)) edges.set(to, new Set());
    edges.get(from)?.add(to);
  }
  return edges;
};

describe("cyclicComponents (Tarjan)", () => {
  it("finds nothing in a graph without cycles", () => {
    const edges = graph([
      ["a", "b"],
      ["b", "c"],
      ["a", "c"],
    ]);
    expect(cyclicComponents([...edges.keys()], edges)).toEqual([]);
  });

  it("finds a two-module cycle and a longer loop as separate components", () => {
    const edges = graph([
      ["a", "b"],
      ["b", "a"],
      ["c", "d"],
      ["d", "e"],
      ["e", "c"],
      ["b", "c"], // one way only: joins nothing
    ]);
    expect(cyclicComponents([...edges.keys()], edges)).toEqual([
      ["a", "b"],
      ["c", "d", "e"],
    ]);
  });

  it("merges loops that share a node into one component", () => {
    const edges = graph([
      ["a", "b"],
      ["b", "a"],
      ["b", "c"],
      ["c", "b"],
    ]);
    expect(cyclicComponents([...edges.keys()], edges)).toEqual([["a", "b", "c"]]);
  });

  it("does not count a node that imports itself", () => {
    const edges = graph([["a", "a"]]);
    expect(cyclicComponents(["a"], edges)).toEqual([]);
  });

  it("answers the same whatever the order of nodes and edges", () => {
    const pairs: [string, string][] = [
      ["x", "y"],
      ["y", "z"],
      ["z", "x"],
      ["p", "q"],
      ["q", "p"],
    ];
    const forward = cyclicComponents(["x", "y", "z", "p", "q"], graph(pairs));
    const backward = cyclicComponents(["q", "p", "z", "y", "x"], graph([...pairs].reverse()));
    expect(backward).toEqual(forward);
    expect(forward).toEqual([
      ["p", "q"],
      ["x", "y", "z"],
    ]);
  });
});

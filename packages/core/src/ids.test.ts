import { describe, expect, it } from "vitest";
import { isId, newId } from "./ids.js";

describe("ids", () => {
  it("carry their type prefix and validate", () => {
    const id = newId("device");
    expect(id).toMatch(/^dev_[0-9a-z]{26}$/);
    expect(isId("device", id)).toBe(true);
    expect(isId("site", id)).toBe(false);
    expect(isId("device", "dev_../../etc")).toBe(false);
    expect(isId("device", 42)).toBe(false);
  });

  it("sort by creation time and never repeat", () => {
    const a = newId("command", 1_000);
    const b = newId("command", 2_000);
    expect(a < b).toBe(true);
    const many = new Set(Array.from({ length: 10_000 }, () => newId("command", 5)));
    expect(many.size).toBe(10_000);
  });
});

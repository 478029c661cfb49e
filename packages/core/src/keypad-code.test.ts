import { describe, expect, it } from "vitest";
import { isTrivialKeypadCode, newKeypadCode } from "./keypad-code.js";

describe("keypad codes", () => {
  it("are 8 digits of 1–9 by default, random and never trivial", () => {
    const codes = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const code = newKeypadCode();
      expect(code).toMatch(/^[1-9]{8}$/);
      expect(isTrivialKeypadCode(code)).toBe(false);
      codes.add(code);
    }
    expect(codes.size).toBeGreaterThan(190);
  });

  it("recognise what a thief would type first", () => {
    for (const code of ["12345678", "123987", "11111111", "87654321", "45454545", "23456789"]) {
      expect(isTrivialKeypadCode(code), code).toBe(true);
    }
    expect(isTrivialKeypadCode("58291736")).toBe(false);
  });

  it("draw again rather than hand out a trivial code", () => {
    const draws = [0, 1, 2, 3, 4, 5, 4, 8, 2, 7, 1, 6];
    expect(newKeypadCode(6, () => draws.shift() ?? 0)).toBe("593827");
  });
});

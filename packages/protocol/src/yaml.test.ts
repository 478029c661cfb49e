import { describe, expect, it } from "vitest";
import { toYaml } from "./yaml.js";

describe("toYaml", () => {
  it("writes nested mappings and sequences as indented blocks", () => {
    expect(toYaml({ a: { b: 1, c: [true, null] }, d: [{ e: "x", f: { g: 2 } }, []], h: {} })).toBe(
      [
        "a:",
        "  b: 1",
        "  c:",
        "    - true",
        "    - null",
        "d:",
        "  - e: x",
        "    f:",
        "      g: 2",
        "  - []",
        "h: {}",
        "",
      ].join("\n"),
    );
  });

  it("quotes every string YAML would read as something else", () => {
    const tricky = [
      "true",
      "No",
      "null",
      "~",
      "1.0",
      "3.0.0",
      "0x1F",
      "-a",
      "a: b",
      "#x",
      "x #y",
      "{a}",
      "",
      " a",
      "*a",
    ];
    const yaml = toYaml(Object.fromEntries(tricky.map((value, index) => [`k${index}`, value])));
    tricky.forEach((value, index) => {
      expect(yaml).toContain(`k${index}: ${JSON.stringify(value)}\n`);
    });
  });

  it("leaves plain the strings that cannot be misread", () => {
    expect(toYaml({ action: "rotate_key", ref: "#/x", path: "th/v1/d/x/cmd" })).toBe(
      'action: rotate_key\nref: "#/x"\npath: th/v1/d/x/cmd\n',
    );
    expect(toYaml({ $ref: "/a/b.json", "./x": "z" })).toBe('$ref: /a/b.json\n"./x": z\n');
  });

  it("writes multi-line text as a literal block that keeps or strips the final line break", () => {
    expect(toYaml({ d: "one\ntwo" })).toBe("d: |-\n  one\n  two\n");
    expect(toYaml({ d: "one\n\ntwo\n" })).toBe("d: |\n  one\n\n  two\n");
    // Trailing spaces would be lost by editors, so such text stays a JSON string.
    expect(toYaml({ d: "one \ntwo" })).toBe('d: "one \\ntwo"\n');
  });

  it("refuses values JSON cannot carry", () => {
    expect(() => toYaml({ n: Number.NaN })).toThrow(/finite/);
    expect(() => toYaml([1])).toThrow(/mapping/);
  });
});

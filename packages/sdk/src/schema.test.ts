import fs from "node:fs";
import path from "node:path";
import openapiTS, { astToString } from "openapi-typescript";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../../..");

describe("the SDK's generated types", () => {
  it("match docs/openapi.json (run `npm run openapi` to regenerate)", async () => {
    const ast = await openapiTS(new URL(`file://${path.join(root, "docs/openapi.json")}`));
    const committed = fs.readFileSync(path.join(root, "packages/sdk/src/schema.ts"), "utf8");
    // The CLI adds a header comment; compare the generated declarations themselves.
    expect(committed).toContain(astToString(ast).trim());
  });
});

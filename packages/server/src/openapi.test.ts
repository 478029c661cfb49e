import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { generateOpenApiDocument } from "./openapi.js";

const COMMITTED = path.resolve(import.meta.dirname, "../../../docs/openapi.json");

describe("docs/openapi.json", () => {
  it("is what the route schemas generate now (run `npm run openapi` after changing a route)", async () => {
    const generated = await generateOpenApiDocument();
    const committed: unknown = JSON.parse(fs.readFileSync(COMMITTED, "utf8"));
    expect(committed).toEqual(generated);
  });

  it("documents every route with a summary, and every /v1 route that takes input or credentials with its errors", async () => {
    const document = (await generateOpenApiDocument()) as {
      paths: Record<
        string,
        Record<
          string,
          {
            summary?: string;
            responses: Record<string, unknown>;
            security?: unknown[];
            parameters?: unknown[];
            requestBody?: unknown;
          }
        >
      >;
    };
    const operations = Object.entries(document.paths).flatMap(([route, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ route, method, operation })),
    );
    expect(operations.length).toBeGreaterThan(15);
    for (const { route, method, operation } of operations) {
      expect(operation.summary, `${method} ${route} has no summary`).toBeTruthy();
      // A public route without input (the key list) has nothing to refuse; every other one must say how it fails.
      const takesNothing = operation.security?.length === 0 && !operation.parameters?.length && !operation.requestBody;
      if (route.startsWith("/v1/") && !takesNothing) {
        const statuses = Object.keys(operation.responses);
        expect(
          statuses.some((s) => s.startsWith("4")),
          `${method} ${route} documents no error`,
        ).toBe(true);
      }
    }
  });
});

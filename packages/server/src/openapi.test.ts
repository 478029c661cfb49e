import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { operationIdOf } from "./http/operation-id.js";
import { WEBHOOK_EVENT_TYPES } from "./modules/webhooks/event-types.js";
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

  it("gives every operation and webhook a unique operationId, a license and a server, for generators", async () => {
    const document = (await generateOpenApiDocument()) as {
      info: { license?: { identifier?: string } };
      servers?: { url: string }[];
      paths: Record<string, Record<string, { operationId?: string }>>;
      webhooks?: Record<string, { post?: { operationId?: string; requestBody?: unknown } }>;
    };
    expect(document.info.license?.identifier).toBe("Apache-2.0");
    expect(document.servers?.length).toBeGreaterThan(0);
    const operations = [
      ...Object.entries(document.paths).flatMap(([route, methods]) =>
        Object.entries(methods).map(([method, operation]) => ({
          where: `${method} ${route}`,
          id: operation.operationId,
        })),
      ),
      ...Object.entries(document.webhooks ?? {}).map(([type, item]) => ({
        where: `webhook ${type}`,
        id: item.post?.operationId,
      })),
    ];
    for (const { where, id } of operations) expect(id, `${where} has no operationId`).toMatch(/^[a-z][A-Za-z0-9]*$/);
    const ids = operations.map((o) => o.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    // Every event a carrier can subscribe to is documented with its payload, and nothing else.
    expect(Object.keys(document.webhooks ?? {}).sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort());
    for (const type of WEBHOOK_EVENT_TYPES) expect(document.webhooks?.[type]?.post?.requestBody).toBeTruthy();
  });

  it.each([
    ["GET", "/v1/visits/:visitId", "getVisitsByVisitId"],
    ["POST", "/v1/visits/:visitId/open-next", "postVisitsByVisitIdOpenNext"],
    ["GET", "/v1/audit/events", "getAuditEvents"],
    ["DELETE", "/v1/api-keys/:id", "deleteApiKeysById"],
    ["GET", "/health", "getHealth"],
  ])("names %s %s %s", (method, url, expected) => {
    expect(operationIdOf(method, url)).toBe(expected);
  });
});

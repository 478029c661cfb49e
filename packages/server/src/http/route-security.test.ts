import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { installRouteSecurityCheck } from "./route-security.js";

describe("route security declarations", () => {
  it("refuses to build an app with an API route that does not say who may call it", async () => {
    const app = Fastify();
    installRouteSecurityCheck(app);
    const added = app.register(
      async (v1) => {
        v1.get("/declared", { schema: { security: [] } }, async () => "ok");
        v1.get("/forgotten", { schema: {} }, async () => "ok");
      },
      { prefix: "/v1" },
    );
    await expect(added.ready()).rejects.toThrow("GET /v1/forgotten declares no security");
  });

  it("leaves routes outside the API alone (the web app's pages, /docs)", async () => {
    const app = Fastify();
    installRouteSecurityCheck(app);
    app.get("/somewhere", async () => "ok");
    await expect(app.ready()).resolves.toBeDefined();
    await app.close();
  });
});

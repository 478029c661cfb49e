import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.js";
import { apiKeyRoutes } from "./api-keys/routes.js";
import { authRoutes } from "./auth/routes.js";
import { healthRoutes } from "./health/routes.js";
import { keyRotationRoutes } from "./keys/routes.js";
import { userRoutes } from "./users/routes.js";

/** Every module's routes. `/health` sits at the root; the API lives under /v1. */
export async function registerModules(app: FastifyInstance, ctx: AppContext): Promise<void> {
  await healthRoutes(app, ctx);
  await app.register(
    async (v1) => {
      await keyRotationRoutes(v1, ctx);
      await authRoutes(v1, ctx);
      await userRoutes(v1, ctx);
      await apiKeyRoutes(v1, ctx);
    },
    { prefix: "/v1" },
  );
}

import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { ThresholdError } from "@threshold/core";
import type { FastifyInstance } from "fastify";
import Type from "typebox";
import type { AppContext } from "../../context.js";
import { errorResponses } from "../../http/error-schema.js";
import { PUBLIC } from "../auth/security.js";
import { RoleSchema } from "../users/schemas.js";

const DemoLogins = Type.Object(
  {
    password: Type.String(),
    accounts: Type.Array(
      Type.Object({
        email: Type.String(),
        name: Type.String(),
        role: RoleSchema,
      }),
    ),
  },
  { $id: "DemoLogins" },
);

/**
 * The demo's logins, for the sign-in page. Only `threshold demo` sets them; every other server
 * answers 404, so a real deployment never advertises accounts.
 */
export async function demoRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    "/demo",
    {
      schema: {
        tags: ["system"],
        summary: "Demo logins (only on a server started with `threshold demo`)",
        security: PUBLIC,
        response: { 200: DemoLogins, ...errorResponses(404) },
      },
    },
    async () => {
      if (!ctx.demo) throw new ThresholdError("not_found", "This server is not a demo.");
      return ctx.demo;
    },
  );
}

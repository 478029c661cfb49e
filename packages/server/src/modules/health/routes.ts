import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import Type from "typebox";
import type { AppContext } from "../../context.js";
import { errorResponses } from "../../http/error-schema.js";
import { PUBLIC } from "../auth/security.js";

const Health = Type.Object({
  status: Type.Union([Type.Literal("ok"), Type.Literal("degraded")]),
  version: Type.String(),
  time: Type.String({ format: "date-time" }),
  database: Type.Object({ ok: Type.Boolean(), dialect: Type.String(), latencyMs: Type.Optional(Type.Number()) }),
  broker: Type.Object({ ok: Type.Boolean(), mode: Type.String(), detail: Type.Optional(Type.String()) }),
});

/** Liveness and dependencies; 503 when the database or the broker is down so load balancers route around us. */
export async function healthRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    "/health",
    {
      schema: {
        tags: ["system"],
        security: PUBLIC,
        summary: "Health of the server, its database and its MQTT broker",
        // Public, but credentials that are sent are checked: bad ones are 401 here too.
        response: { 200: Health, ...errorResponses(401), 503: Health },
      },
    },
    async (_request, reply) => {
      const started = performance.now();
      const database = await ctx.storage.ping().then(
        () => ({
          ok: true,
          dialect: ctx.storage.dialect,
          latencyMs: Math.round((performance.now() - started) * 100) / 100,
        }),
        () => ({ ok: false, dialect: ctx.storage.dialect }),
      );
      const broker = ctx.broker.status();
      const ok = database.ok && broker.ok;
      return reply.status(ok ? 200 : 503).send({
        status: ok ? "ok" : "degraded",
        version: "1",
        time: new Date(ctx.clock.now()).toISOString(),
        database,
        broker,
      });
    },
  );
}

import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import Type from "typebox";
import { actorOf } from "../../audit/actor.js";
import type { AppContext } from "../../context.js";
import { requireUser } from "../../http/actor.js";
import { errorResponses } from "../../http/error-schema.js";
import { rotateServerKey } from "./rotation.js";

const RotationResult = Type.Object({
  kid: Type.String(),
  publicKey: Type.String(),
  devices: Type.Object({
    total: Type.Integer({ description: "Devices that trusted an older key." }),
    confirmed: Type.Integer({ description: "Devices that acknowledged the new key." }),
    pending: Type.Integer({ description: "Offline devices; they learn of the new key when they reconnect." }),
  }),
});

export async function keyRotationRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.withTypeProvider<TypeBoxTypeProvider>().post(
    "/operator/keys/rotate",
    {
      schema: {
        tags: ["keys"],
        summary: "Rotate the server's command-signing key (operators)",
        description:
          "Creates a new Ed25519 key, makes it current and sends every device a rotate_key command signed by the key it trusts.",
        security: [{ session: [] }],
        response: { 200: RotationResult, ...errorResponses(401, 403) },
      },
    },
    async (request) => {
      const operator = requireUser(request, "operator");
      return rotateServerKey(ctx, actorOf(operator));
    },
  );
}

import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../context.js";
import { errorResponses } from "../../http/error-schema.js";
import { PUBLIC } from "../auth/security.js";
import { ServerKeyList } from "./schemas.js";

/**
 * The server's public signing keys, for anyone: devices learn them at pairing, and third parties
 * (carriers, insurers, courts) verify signed proofs with them, old keys included.
 */
export async function publicKeyRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    "/keys",
    {
      schema: {
        tags: ["keys"],
        summary: "The server's public Ed25519 keys, to verify signed commands and proofs",
        security: PUBLIC,
        // Public, but credentials that are sent are checked: bad ones are 401 here too.
        response: { 200: ServerKeyList, ...errorResponses(401) },
      },
    },
    async () => ({
      keys: ctx.keyring.publicKeys().map((key) => ({
        kid: key.kid,
        publicKey: key.publicKey,
        createdAt: new Date(key.createdAt).toISOString(),
        retiredAt: key.retiredAt === null ? null : new Date(key.retiredAt).toISOString(),
      })),
    }),
  );
}

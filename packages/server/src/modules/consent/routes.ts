import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../context.js";
import { requireActor } from "../../http/actor.js";
import { errorResponses } from "../../http/error-schema.js";
import { SESSION_ONLY } from "../auth/security.js";
import { BlockBody, BlockResult, setAccessBlock } from "./access-block.js";
import { AccessPointConsent, ConsentBody, ConsentParams } from "./schemas.js";
import { getConsent, setConsent } from "./service.js";

/** Consent per access point, and the recipient's switch that blocks all access at once. */
export async function consentRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.put(
    "/access-points/:id/consent",
    {
      schema: {
        tags: ["consent"],
        summary: "Set which delivery methods this access point allows, on which days and hours, with notes",
        description:
          "The site's owner only. Replaces any earlier consent; `methods: []` withdraws it. 400 when from is not before to or the time zone is unknown; 422 method_not_suited when a method does not fit the access point (in_home needs a front_door or building_entrance).",
        security: SESSION_ONLY,
        params: ConsentParams,
        body: ConsentBody,
        response: { 200: AccessPointConsent, ...errorResponses(400, 401, 403, 404, 413, 415, 422) },
      },
    },
    async (request) => setConsent(ctx, requireActor(request), request.params.id, request.body),
  );

  api.get(
    "/access-points/:id/consent",
    {
      schema: {
        tags: ["consent"],
        summary: "What this access point allows (its site's owner and operators)",
        security: SESSION_ONLY,
        params: ConsentParams,
        response: { 200: AccessPointConsent, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => getConsent(ctx, requireActor(request), request.params.id),
  );

  for (const [path, blocked] of [
    ["/access/block", true],
    ["/access/unblock", false],
  ] as const) {
    api.post(
      path,
      {
        // "Block everything" is one tap: a call without a body means all sites, like `{}`.
        preValidation: async (request) => {
          if (request.body === undefined) request.body = {};
        },
        schema: {
          tags: ["consent"],
          summary: blocked
            ? "Block all access to your sites (or one site) at once, including visits authorized but not yet open"
            : "Lift the block on your sites (or one site)",
          description: blocked
            ? "Recipients only. Send `{}` (or no body) for all your sites, `{ siteId }` for one. Guest keys of a blocked site are paused: each lock is told to forget their PINs, and the answer waits a few seconds for it; `guestKeysPending` counts the locks that have not confirmed (their PINs still open the door until they do; Threshold keeps trying)."
            : "Recipients only. Send `{}` (or no body) for all your sites, `{ siteId }` for one. Paused guest keys that have not ended are set on their locks again, with the same PINs and links.",
          security: SESSION_ONLY,
          body: BlockBody,
          response: { 200: BlockResult, ...errorResponses(400, 401, 403, 404, 413, 415) },
        },
      },
      async (request) => setAccessBlock(ctx, requireActor(request), blocked, request.body),
    );
  }
}

import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { ThresholdError } from "@threshold/core";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { AppContext } from "../../context.js";
import { requireActor } from "../../http/actor.js";
import { errorResponses } from "../../http/error-schema.js";
import { idParams } from "../../http/ownership.js";
import { PUBLIC, SESSION_ONLY } from "../auth/security.js";
import { Device } from "../devices/index.js";
import { SiteParams } from "../sites/schemas.js";
import { RateLimited } from "./rate-limiter.js";
import { ClaimDeviceBody, CreatePairingRequestBody, PairingTicket, PollResult } from "./schemas.js";
import { PairingService } from "./service.js";

/** Device pairing: a device asks for a code, its owner enters it, the device collects its credentials. */
export async function pairingRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const pairing = new PairingService(ctx);

  api.post(
    "/pairing-requests",
    {
      schema: {
        tags: ["pairing"],
        summary: "A device asks to be paired and gets a code to show its owner (no credentials needed)",
        description: `Limited per client address. Poll GET /v1/pairing-requests/{id} with the pollToken until the owner has entered the code.`,
        security: PUBLIC,
        body: CreatePairingRequestBody,
        response: { 201: PairingTicket, ...errorResponses(400, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const ticket = await withRetryAfter(reply, pairing.request(request.ip, request.body));
      return reply.status(201).send(ticket);
    },
  );

  api.get(
    "/pairing-requests/:id",
    {
      // The Authorization header carries the poll token here, not an API key (see the authenticator).
      config: { pollTokenAuth: true },
      schema: {
        tags: ["pairing"],
        summary: "The device polls its pairing request; once paired, it gets its credentials exactly once",
        description:
          "Send `Authorization: Bearer <pollToken>`. 200 pending until the owner enters the code, then 200 paired with the MQTT credentials and server keys, once. Afterwards, and for an unknown id, a wrong token or an expired code: 404.",
        security: PUBLIC,
        params: idParams("pairing", "pairing request"),
        response: { 200: PollResult, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const authorization = request.headers.authorization;
      if (!authorization) {
        throw new ThresholdError(
          "unauthenticated",
          "Send the pollToken from POST /v1/pairing-requests as Authorization: Bearer <pollToken>.",
        );
      }
      const token = /^Bearer +(\S+)$/i.exec(authorization)?.[1] ?? "";
      return pairing.poll(request.params.id, token);
    },
  );

  api.post(
    "/sites/:siteId/devices",
    {
      schema: {
        tags: ["pairing", "devices"],
        summary: "Pair a device to your site by entering the code it shows",
        description:
          "404 pairing_code_invalid for a wrong, expired or used code; after too many wrong codes, 429 until the window passes.",
        security: SESSION_ONLY,
        params: SiteParams,
        body: ClaimDeviceBody,
        response: { 201: Device, ...errorResponses(400, 401, 403, 404, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const device = await withRetryAfter(
        reply,
        pairing.claim(requireActor(request), request.params.siteId, request.body),
      );
      return reply.status(201).send(device);
    },
  );

  // The keys devices are handed at pairing, published for everyone who verifies signed proofs.
}

/** Tells a rate-limited caller when to come back. */
async function withRetryAfter<T>(reply: FastifyReply, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof RateLimited) reply.header("retry-after", String(error.retryAfterSeconds));
    throw error;
  }
}

import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { AppContext } from "../../context.js";
import { requireCarrierScope } from "../../http/actor.js";
import { errorResponses } from "../../http/error-schema.js";
import { idParams } from "../../http/ownership.js";
import { SESSION_OR_API_KEY } from "../auth/security.js";
import { WebhookEventCatalogue, webhookEventCatalogue } from "./event-catalogue.js";
import {
  CreatedWebhookEndpoint,
  CreateWebhookEndpointBody,
  DeliveryListQuery,
  WebhookDelivery,
  WebhookDeliveryList,
  WebhookEndpoint,
  WebhookEndpointList,
  WebhookEndpointSecret,
} from "./schemas.js";
import {
  createEndpoint,
  disableCarrierEndpoint,
  getEndpoint,
  getEndpointSecret,
  listDeliveries,
  listEndpoints,
  retryDelivery,
  type WebhookManager,
} from "./service.js";

/** A carrier's API keys with webhooks:manage, or its carrier admins. */
const manager = (request: FastifyRequest): WebhookManager => requireCarrierScope(request, "webhooks:manage");

/** Webhook endpoints of a carrier and the log of what was delivered to them (Standard Webhooks). */
export async function webhookRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ["webhooks"];
  const security = SESSION_OR_API_KEY;

  api.get(
    "/webhooks/event-types",
    {
      schema: {
        tags,
        security,
        summary: "The event types an endpoint can subscribe to, each with a sentence saying when it is sent",
        response: { 200: WebhookEventCatalogue, ...errorResponses(401, 403) },
      },
    },
    async (request) => {
      manager(request);
      return { eventTypes: webhookEventCatalogue() };
    },
  );

  api.post(
    "/webhooks/endpoints",
    {
      schema: {
        tags,
        security,
        summary: "Register an endpoint for your carrier's events; the response carries its signing secret",
        body: CreateWebhookEndpointBody,
        response: { 201: CreatedWebhookEndpoint, ...errorResponses(400, 401, 403, 413, 415) },
      },
    },
    async (request, reply) => reply.status(201).send(await createEndpoint(ctx, manager(request), request.body)),
  );

  api.get(
    "/webhooks/endpoints",
    {
      schema: {
        tags,
        security,
        summary: "Your carrier's webhook endpoints, newest first, disabled ones included",
        response: { 200: WebhookEndpointList, ...errorResponses(401, 403) },
      },
    },
    async (request) => ({ endpoints: await listEndpoints(ctx, manager(request)) }),
  );

  api.get(
    "/webhooks/endpoints/:id",
    {
      schema: {
        tags,
        security,
        summary: "One of your carrier's webhook endpoints",
        params: idParams("webhookEndpoint", "webhook endpoint"),
        response: { 200: WebhookEndpoint, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => getEndpoint(ctx, manager(request), request.params.id),
  );

  api.delete(
    "/webhooks/endpoints/:id",
    {
      schema: {
        tags,
        security,
        summary: "Disable an endpoint: nothing more is sent to it, and its pending deliveries end failed",
        params: idParams("webhookEndpoint", "webhook endpoint"),
        response: { 200: WebhookEndpoint, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => disableCarrierEndpoint(ctx, manager(request), request.params.id),
  );

  api.get(
    "/webhooks/endpoints/:id/secret",
    {
      schema: {
        tags,
        security,
        summary: "An endpoint's signing secret (whsec_…), to verify webhook-signature",
        params: idParams("webhookEndpoint", "webhook endpoint"),
        response: { 200: WebhookEndpointSecret, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      reply.header("cache-control", "no-store");
      return getEndpointSecret(ctx, manager(request), request.params.id);
    },
  );

  api.get(
    "/webhooks/endpoints/:id/deliveries",
    {
      schema: {
        tags,
        security,
        summary: "The delivery log of an endpoint: newest first, each with every attempt",
        params: idParams("webhookEndpoint", "webhook endpoint"),
        querystring: DeliveryListQuery,
        response: { 200: WebhookDeliveryList, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({
      deliveries: await listDeliveries(ctx, manager(request), request.params.id, request.query),
    }),
  );

  api.post(
    "/webhooks/deliveries/:id/retry",
    {
      schema: {
        tags,
        security,
        summary: "Send a delivery again now, with the same webhook-id (whatever its status)",
        params: idParams("webhookMessage", "webhook delivery"),
        response: { 202: WebhookDelivery, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => reply.status(202).send(await retryDelivery(ctx, manager(request), request.params.id)),
  );
}

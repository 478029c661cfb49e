import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../context.js";
import { requireActor, requireCarrierScope } from "../../http/actor.js";
import { errorResponses } from "../../http/error-schema.js";
import { SESSION_OR_API_KEY } from "../auth/security.js";
import { CarrierDestinationList, listDestinations } from "./destinations.js";
import {
  AssignBody,
  CreateShipmentBody,
  ListShipmentsQuery,
  Shipment,
  ShipmentList,
  ShipmentParams,
} from "./schemas.js";
import { assignShipment, createShipment, getShipment, listShipments } from "./service.js";

/** Shipments: carriers create them and assign couriers; recipients, couriers and carriers read their own. */
export async function shipmentRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.post(
    "/shipments",
    {
      schema: {
        tags: ["shipments"],
        summary: "Create a shipment (carriers: an API key with shipments:write, or a carrier admin)",
        description:
          "409 tracking_number_exists; 400 invalid_window when the window ends before it starts, is longer than 12 h or is over; 404 when the site is unknown; 422 no_consent when in_home is asked of a site whose owner has not allowed in_home on a front door (in_garage on a garage, in_fridge on a fridge); 422 not_perishable when in_fridge is asked for a shipment not flagged perishable.",
        security: SESSION_OR_API_KEY,
        body: CreateShipmentBody,
        response: { 201: Shipment, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createShipment(ctx, requireCarrierScope(request, "shipments:write"), request.body)),
  );

  api.post(
    "/shipments/:id/assign",
    {
      schema: {
        tags: ["shipments"],
        summary: "Assign your shipment to one of your couriers (or reassign it before delivery)",
        description:
          "404 courier_not_found when the courier is not an active courier of your carrier; 409 conflict once delivered or cancelled, or while a visit is under way.",
        security: SESSION_OR_API_KEY,
        params: ShipmentParams,
        body: AssignBody,
        response: { 200: Shipment, ...errorResponses(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request) =>
      assignShipment(ctx, requireCarrierScope(request, "shipments:write"), request.params.id, request.body.courierId),
  );

  api.get(
    "/shipments",
    {
      schema: {
        tags: ["shipments"],
        summary:
          "Your shipments, latest window first: recipients theirs, couriers those assigned to them, carriers theirs",
        security: SESSION_OR_API_KEY,
        querystring: ListShipmentsQuery,
        response: { 200: ShipmentList, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => listShipments(ctx, requireActor(request), request.query),
  );

  api.get(
    "/shipments/destinations",
    {
      schema: {
        tags: ["shipments"],
        summary: "The places you have shipped to, with the methods each takes now (carriers: shipments:read)",
        description:
          "For a dispatcher's picker: each site your shipments went to, with the address your labels print, the methods POST /v1/shipments would accept there as far as the place decides, and the time zone to enter the window in. Another carrier's destinations are never listed.",
        security: SESSION_OR_API_KEY,
        response: { 200: CarrierDestinationList, ...errorResponses(401, 403) },
      },
    },
    async (request) => ({
      destinations: await listDestinations(ctx, requireCarrierScope(request, "shipments:read")),
    }),
  );

  api.get(
    "/shipments/:id",
    {
      schema: {
        tags: ["shipments"],
        summary: "A shipment, as far as you may see it (its carrier, recipient, assigned courier, operators)",
        security: SESSION_OR_API_KEY,
        params: ShipmentParams,
        response: { 200: Shipment, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => getShipment(ctx, requireActor(request), request.params.id),
  );
}

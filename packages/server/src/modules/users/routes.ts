import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../context.js";
import { requireActor } from "../../http/actor.js";
import { errorResponses } from "../../http/error-schema.js";
import { idParams } from "../../http/ownership.js";
import { SESSION_ONLY, SESSION_OR_API_KEY } from "../auth/security.js";
import { Carrier, CourierList, CreateCarrierBody, CreateUserBody, User, UserList, UserListQuery } from "./schemas.js";
import { addCarrier, createUser, getUser, listAccounts, listCouriers } from "./service.js";

/** Accounts of people, and the carriers couriers work for. */
export async function userRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.post(
    "/users",
    {
      schema: {
        tags: ["users"],
        summary: "Create an account (operators: any role; carrier admins: couriers of their carrier)",
        security: SESSION_ONLY,
        body: CreateUserBody,
        response: { 201: User, ...errorResponses(400, 401, 403, 409, 413, 415) },
      },
    },
    async (request, reply) => reply.status(201).send(await createUser(ctx, requireActor(request), request.body)),
  );

  api.get(
    "/users",
    {
      schema: {
        tags: ["users"],
        summary: "Every account, by name (operators)",
        description: "For operators choosing a person by name (the audit log's filters). 403 for everyone else.",
        security: SESSION_ONLY,
        querystring: UserListQuery,
        response: { 200: UserList, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => listAccounts(ctx, requireActor(request), request.query),
  );

  api.get(
    "/users/:id",
    {
      schema: {
        tags: ["users"],
        summary: "An account: your own, a courier of your carrier, or any for operators",
        security: SESSION_OR_API_KEY,
        params: idParams("user", "user"),
        response: { 200: User, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => getUser(ctx, requireActor(request), request.params.id),
  );

  api.post(
    "/carriers",
    {
      schema: {
        tags: ["carriers"],
        summary: "Add a carrier (operators)",
        security: SESSION_ONLY,
        body: CreateCarrierBody,
        response: { 201: Carrier, ...errorResponses(400, 401, 403, 413, 415) },
      },
    },
    async (request, reply) => reply.status(201).send(await addCarrier(ctx, requireActor(request), request.body.name)),
  );

  api.get(
    "/carriers/:id/couriers",
    {
      schema: {
        tags: ["carriers"],
        summary: "A carrier's couriers (its admins, its API keys with couriers:read, operators)",
        security: SESSION_OR_API_KEY,
        params: idParams("carrier", "carrier"),
        response: { 200: CourierList, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({ couriers: await listCouriers(ctx, requireActor(request), request.params.id) }),
  );
}

import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import Type from "typebox";
import type { AppContext } from "../../context.js";
import { requireActor, requireUser } from "../../http/actor.js";
import { errorResponses } from "../../http/error-schema.js";
import { idempotencyHeader, withIdempotency } from "../../http/idempotency.js";
import { idParams } from "../../http/ownership.js";
import { SESSION_ONLY } from "../auth/security.js";
import {
  CAR_BODY_LIMIT_BYTES,
  Car,
  CarList,
  CarParams,
  CourierCar,
  CourierCarQuery,
  CreateCarBody,
  PairCarBody,
  UpdateCarBody,
} from "./schemas.js";
import { CarService } from "./service.js";

const ShipmentParams = idParams("shipment", "stop's shipment");

const IDEMPOTENCY_HEADER = idempotencyHeader("one car, one trunk access point.");

/** Cars whose trunks take deliveries (docs/in-car-delivery.md): their owners' settings and the courier's view. */
export async function carRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const cars = new CarService(ctx);

  api.post(
    "/cars",
    {
      bodyLimit: CAR_BODY_LIMIT_BYTES,
      schema: {
        tags: ["cars"],
        summary: "Register your car (make, model, colour, plate, photo) at one of your homes",
        description:
          "Trunk delivery stays off until the car is paired (POST /v1/cars/{id}/pair) and you turn it on. The trunk size, weight and value limits default to the server's (Amazon's: 66 × 53 × 40 cm, 50 lb, $1,300); you may set less, not more. 404 for a site that is not yours.",
        security: SESSION_ONLY,
        headers: IDEMPOTENCY_HEADER,
        body: CreateCarBody,
        response: { 201: Car, ...errorResponses(400, 401, 403, 404, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      const { body } = await withIdempotency(ctx, request, `car:${user.userId}`, async () => ({
        status: 201,
        body: await cars.create(user, request.body),
      }));
      return reply.status(201).send(body);
    },
  );

  api.get(
    "/cars",
    {
      schema: {
        tags: ["cars"],
        summary: "Your cars, with what each last reported (position, parked or driving, locks, trunk)",
        security: SESSION_ONLY,
        response: { 200: CarList, ...errorResponses(401, 403) },
      },
    },
    async (request) => ({ cars: await cars.list(requireActor(request)) }),
  );

  api.get(
    "/cars/:id",
    {
      schema: {
        tags: ["cars"],
        summary: "One of your cars",
        security: SESSION_ONLY,
        params: CarParams,
        response: { 200: Car, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => cars.get(requireActor(request), request.params.id),
  );

  api.patch(
    "/cars/:id",
    {
      bodyLimit: CAR_BODY_LIMIT_BYTES,
      schema: {
        tags: ["cars"],
        summary: "Change your car's details and settings; trunkDelivery opts in or out",
        description:
          "409 car_not_paired when turning trunk delivery on before the car is paired; 400 for limits above the server's.",
        security: SESSION_ONLY,
        params: CarParams,
        body: UpdateCarBody,
        response: { 200: Car, ...errorResponses(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request) => cars.update(requireActor(request), request.params.id, request.body),
  );

  api.post(
    "/cars/:id/pair",
    {
      schema: {
        tags: ["cars"],
        summary: "Pair the car with its vehicle device; its trunk becomes an access point",
        description:
          "Pair the vehicle device at the car's site first (POST /v1/pairing/claim). Cameras that film the trunk may be named; without one, trunk visits are not filmed. 404 for a device not paired at that site; 422 device_kind_mismatch for a device that is not a vehicle.",
        security: SESSION_ONLY,
        headers: IDEMPOTENCY_HEADER,
        params: CarParams,
        body: PairCarBody,
        response: { 200: Car, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422) },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const { body } = await withIdempotency(ctx, request, `car-pair:${user.userId}`, async () => ({
        status: 200,
        body: await cars.pair(user, request.params.id, request.body),
      }));
      return body;
    },
  );

  api.delete(
    "/cars/:id",
    {
      schema: {
        tags: ["cars"],
        summary: "Remove your car: its trunk stops taking deliveries at once",
        description:
          "The trunk access point is removed with it; the vehicle device stays paired until you remove it (DELETE /v1/devices/{id}).",
        security: SESSION_ONLY,
        params: CarParams,
        response: { 204: Type.Null({ description: "Removed." }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await cars.remove(requireActor(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  for (const [path, blocked] of [
    ["/cars/:id/block", true],
    ["/cars/:id/unblock", false],
  ] as const) {
    api.post(
      path,
      {
        schema: {
          tags: ["cars"],
          summary: blocked
            ? "Block deliveries to the car at once: no trunk opens until you unblock it"
            : "Allow deliveries to the car again",
          security: SESSION_ONLY,
          params: CarParams,
          response: { 200: Car, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => cars.setBlocked(requireActor(request), request.params.id, blocked),
    );
  }

  api.get(
    "/courier/stops/:id/car",
    {
      schema: {
        tags: ["courier"],
        summary: "The car of your in_trunk stop: plate, colour, photo, and where it is from where you stand",
        description:
          "Only the stop's assigned courier, only during its delivery window (409 window_closed otherwise); the position may be withheld until you are near the address when the owner chose so. 404 for a stop that is not yours or not a trunk delivery.",
        security: SESSION_ONLY,
        params: ShipmentParams,
        querystring: CourierCarQuery,
        response: { 200: CourierCar, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => cars.forCourier(requireActor(request), request.params.id, request.query),
  );
}

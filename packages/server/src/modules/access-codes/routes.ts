import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../context.js";
import { requireActor, requireCarrierScope } from "../../http/actor.js";
import { errorResponses } from "../../http/error-schema.js";
import { idempotencyHeader, withIdempotency } from "../../http/idempotency.js";
import { SESSION_OR_API_KEY } from "../auth/security.js";
import { ShipmentParams } from "../shipments/schemas.js";
import { AccessCode, AccessCodeList, AccessCodeParams, RequestAccessCodeBody } from "./schemas.js";
import { AccessCodeService } from "./service.js";

const IDEMPOTENCY_HEADER = idempotencyHeader("one code, one command to the lock.");

/** Keypad codes for a shipment (docs/access-codes.md): carriers ask, couriers read the digits. */
export async function accessCodeRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const codes = new AccessCodeService(ctx);

  api.post(
    "/shipments/:id/access-codes",
    {
      schema: {
        tags: ["access codes"],
        summary:
          "Ask for a keypad code for your shipment (carriers: an API key with shipments:write, or a carrier admin)",
        description: [
          "kind online (default): Threshold makes a random 8-digit code and programs it into the destination's lock, disabled, valid only in the delivery window; the answer comes once the lock confirmed (status set) or not (status failed, also announced as access_code.failed). The courier checks in at the door with POST /v1/visits naming the code: every rule is checked as for a scan, the camera records, and only then the code is enabled for two minutes, for one use. It is removed from the lock once used or expired.",
          "kind offline: for a lock that is offline now (or always, when the recipient allowed offline codes as a fallback in the door's consent). A 9-digit code the lock checks with no network, valid for one hour of the window (at). AN OFFLINE CODE CANNOT BE REVOKED UNTIL THE LOCK IS REACHABLE AGAIN: until then it opens the door once in its hour, whatever happens to the shipment. Its use is reported when the lock reconnects and recorded as a visit after the fact.",
          "The digits are shown only to the shipment's assigned courier (GET), never in this answer. 404 for a shipment that is not yours; 409 conflict when it is not assigned or already has a live code, window_closed when the window is over, lock_online for an offline code while the lock is online, offline_codes_exhausted; 422 keypad_unavailable when the front door's lock takes no codes, method_not_suited when the shipment is not in_home.",
        ].join("\n\n"),
        security: SESSION_OR_API_KEY,
        headers: IDEMPOTENCY_HEADER,
        params: ShipmentParams,
        body: RequestAccessCodeBody,
        response: { 201: AccessCode, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      const carrier = requireCarrierScope(request, "shipments:write");
      const { body } = await withIdempotency(ctx, request, `access-code:${carrier.carrierId}`, async () => ({
        status: 201,
        body: await codes.request(carrier, request.params.id, request.body),
      }));
      return reply.status(201).send(body);
    },
  );

  api.get(
    "/shipments/:id/access-codes",
    {
      schema: {
        tags: ["access codes"],
        summary:
          "A shipment's keypad codes and their states; its assigned courier also gets the digits while a code is valid",
        description: "Carriers (shipments:read) and operators see states only; recipients get 403; anyone else 404.",
        security: SESSION_OR_API_KEY,
        params: ShipmentParams,
        response: { 200: AccessCodeList, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({ accessCodes: await codes.list(requireActor(request), request.params.id) }),
  );

  api.delete(
    "/shipments/:id/access-codes/:codeId",
    {
      schema: {
        tags: ["access codes"],
        summary: "Withdraw your one-time code before it is used: removed at once, then taken off the lock",
        description:
          "The code can no longer be enabled by a check-in from this moment; the lock is told to forget it at once (retried when it reconnects, see removedFromLockAt). An offline code is removing until its lock confirms it refuses the code (offline_code_revoke): at once while the lock is reachable; while it is not, the withdrawal is queued and the code still opens the door once in its hour until the lock hears. Removing a removed code answers it again. 409 conflict for a code already used or expired.",
        security: SESSION_OR_API_KEY,
        headers: IDEMPOTENCY_HEADER,
        params: AccessCodeParams,
        response: { 200: AccessCode, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const carrier = requireCarrierScope(request, "shipments:write");
      const { id, codeId } = request.params;
      return (
        await withIdempotency(ctx, request, `access-code-remove:${carrier.carrierId}`, async () => ({
          status: 200,
          body: await codes.revoke(carrier, id, codeId),
        }))
      ).body;
    },
  );

  api.get(
    "/shipments/:id/access-codes/:codeId",
    {
      schema: {
        tags: ["access codes"],
        summary: "One keypad code of a shipment (as the list shows it)",
        security: SESSION_OR_API_KEY,
        params: AccessCodeParams,
        response: { 200: AccessCode, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => codes.get(requireActor(request), request.params.id, request.params.codeId),
  );
}

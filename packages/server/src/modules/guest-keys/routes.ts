import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../context.js";
import { requireActor } from "../../http/actor.js";
import { errorResponses } from "../../http/error-schema.js";
import { idempotencyHeader, withIdempotency } from "../../http/idempotency.js";
import { PUBLIC, SESSION_ONLY } from "../auth/security.js";
import {
  CreateGuestKeyBody,
  GuestKey,
  GuestKeyList,
  GuestKeyParams,
  SharedGuestKey,
  SharedKeyParams,
  SiteGuestKeyParams,
} from "./schemas.js";
import { GuestKeyService } from "./service.js";

const IDEMPOTENCY_HEADER = idempotencyHeader("one guest key, one command to the lock.");

/** Guest keys (docs/guest-keys.md): the site's owner gives, lists and revokes; the guest opens a share link. */
export async function guestKeyRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const keys = new GuestKeyService(ctx);

  api.post(
    "/sites/:id/guest-keys",
    {
      schema: {
        tags: ["guest keys"],
        summary: "Give someone a guest key: a 6-digit PIN for a door's lock, with a schedule and a share link",
        description: [
          "The site's owner only. Threshold draws a PIN no other live key of that lock has, programs it into the lock (pin_set, the Matter user type of the kind) and answers once the lock confirmed (status active) or not (status failed, with failureReason: an offline lock, for one).",
          "The answer carries the PIN and shareUrl, a link to send the guest: it shows them the PIN and when it works, and stops working when the key ends. Every use is reported by the lock and shown to the owner at once (guest_key.used on the live stream).",
          "400 invalid_request for rules that do not fit the kind (weekDays on a permanent key, a temporary key without validUntil, an unknown time zone); invalid_window when validUntil is not after validFrom and now; 404 for a site or access point that is not yours; 403 for an operator; 409 access_blocked while the site's block switch is on; 422 keypad_unavailable when the door's lock takes no codes.",
        ].join("\n\n"),
        security: SESSION_ONLY,
        headers: IDEMPOTENCY_HEADER,
        params: SiteGuestKeyParams,
        body: CreateGuestKeyBody,
        response: { 201: GuestKey, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const scope = `guest-key:${actor.kind === "user" ? actor.userId : actor.keyId}`;
      const { body } = await withIdempotency(ctx, request, scope, async () => ({
        status: 201,
        body: await keys.create(actor, request.params.id, request.body),
      }));
      return reply.status(201).send(body);
    },
  );

  api.get(
    "/sites/:id/guest-keys",
    {
      schema: {
        tags: ["guest keys"],
        summary: "A site's guest keys, newest first, with their uses and whether each works now",
        description: "The owner sees PINs and share links; operators see the rest; anyone else 404.",
        security: SESSION_ONLY,
        params: SiteGuestKeyParams,
        response: { 200: GuestKeyList, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({ guestKeys: await keys.list(requireActor(request), request.params.id) }),
  );

  api.get(
    "/guest-keys/:id",
    {
      schema: {
        tags: ["guest keys"],
        summary: "One guest key (as the list shows it)",
        security: SESSION_ONLY,
        params: GuestKeyParams,
        response: { 200: GuestKey, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => keys.get(requireActor(request), request.params.id),
  );

  api.delete(
    "/guest-keys/:id",
    {
      schema: {
        tags: ["guest keys"],
        summary: "Revoke a guest key: ended at once in Threshold, and taken off the lock at once when it is online",
        description:
          "The share link stops showing the PIN from this moment. The lock is told to forget the PIN and the answer waits a few seconds for it: revocation done. When the lock is offline or does not confirm, revocation is pending and notice says so — the PIN still opens the door until the lock hears of it; Threshold sends the removal the moment the lock is back. Revoking an ended key answers it as it is. The site's owner only (403 for an operator, 404 for anyone else).",
        security: SESSION_ONLY,
        headers: IDEMPOTENCY_HEADER,
        params: GuestKeyParams,
        response: { 200: GuestKey, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => keys.revoke(requireActor(request), request.params.id),
  );

  api.get(
    "/shared-keys/:token",
    {
      schema: {
        tags: ["guest keys"],
        summary: "A guest key's share link: the PIN, the place and when it works (no sign-in: the link is the secret)",
        description:
          "404 for a link that does not exist; 410 guest_key_ended for a key that was revoked, used up or has expired (the message says which, never the PIN); 409 guest_key_paused while the owner has blocked all access (the link works again when they lift the block).",
        security: PUBLIC,
        params: SharedKeyParams,
        response: { 200: SharedGuestKey, ...errorResponses(400, 404, 409, 410) },
      },
    },
    async (request, reply) => {
      // The PIN must not stay in a cache or leak through a Referer to another site.
      reply.header("cache-control", "no-store").header("referrer-policy", "no-referrer");
      return keys.shared(request.params.token);
    },
  );
}

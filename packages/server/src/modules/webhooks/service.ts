import { newId, notFound, ThresholdError } from "@threshold/core";
import { actorOf } from "../../audit/actor.js";
import type { AppContext } from "../../context.js";
import type { Actor } from "../../http/actor.js";
import { foundOrNotFound } from "../../http/ownership.js";
import { ALL_EVENT_TYPES } from "./event-types.js";
import {
  attemptsOf,
  disableEndpoint,
  failPendingDeliveries,
  findCarrierDelivery,
  findCarrierEndpoint,
  findCarrierEndpointSecret,
  insertEndpoint,
  listCarrierEndpoints,
  listEndpointDeliveries,
  lockAuditHeadSeq,
  scheduleNow,
} from "./repository.js";
import {
  type CreateWebhookEndpointBody,
  toWebhookDelivery,
  toWebhookEndpoint,
  type WebhookDelivery,
  type WebhookEndpoint,
} from "./schemas.js";
import { newWebhookSecret } from "./signature.js";
import { checkEndpointUrl } from "./url-policy.js";

type Ctx = Pick<AppContext, "db" | "storage" | "clock" | "audit" | "config">;

/**
 * Who manages a carrier's webhooks: its API keys with webhooks:manage, or its carrier admins.
 * The routes establish it with requireCarrierScope; every function here takes its result.
 */
export interface WebhookManager {
  carrierId: string;
  actor: Actor;
}

/**
 * Registers an endpoint; it receives the carrier's events appended from now on. The secret is
 * returned here, and kept (unhashed, since it signs every request) for the carrier to read again.
 */
export async function createEndpoint(
  ctx: Ctx,
  manager: WebhookManager,
  body: CreateWebhookEndpointBody,
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const url = checkEndpointUrl(body.url, { allowHttpLoopback: ctx.config.webhooks.allowHttpLoopback });
  const eventTypes =
    !body.eventTypes || body.eventTypes.includes(ALL_EVENT_TYPES) ? [ALL_EVENT_TYPES] : body.eventTypes;
  const now = ctx.clock.now();
  const id = newId("webhookEndpoint", now);
  const secret = newWebhookSecret();
  await ctx.audit.transaction(async (trx, record) => {
    const afterSeq = await lockAuditHeadSeq(trx, ctx.storage.dialect);
    await insertEndpoint(trx, {
      id,
      carrier_id: manager.carrierId,
      url: url.toString(),
      secret,
      event_types: JSON.stringify(eventTypes),
      created_at: now,
      disabled_at: null,
      after_seq: afterSeq,
    });
    record({
      type: "webhook_endpoint.created",
      subjectType: "webhook_endpoint",
      subjectId: id,
      actor: actorOf(manager.actor),
      // Without the query string, which some receivers use for a token of their own.
      data: { carrierId: manager.carrierId, url: `${url.origin}${url.pathname}`, eventTypes },
    });
  });
  const row = foundOrNotFound(await findCarrierEndpoint(ctx.db, manager.carrierId, id), "webhook endpoint");
  return { endpoint: toWebhookEndpoint(row), secret };
}

export async function listEndpoints(ctx: Ctx, manager: WebhookManager): Promise<WebhookEndpoint[]> {
  return (await listCarrierEndpoints(ctx.db, manager.carrierId)).map(toWebhookEndpoint);
}

export async function getEndpoint(ctx: Ctx, manager: WebhookManager, id: string): Promise<WebhookEndpoint> {
  return toWebhookEndpoint(
    foundOrNotFound(await findCarrierEndpoint(ctx.db, manager.carrierId, id), "webhook endpoint"),
  );
}

export async function getEndpointSecret(ctx: Ctx, manager: WebhookManager, id: string): Promise<{ secret: string }> {
  const row = foundOrNotFound(await findCarrierEndpointSecret(ctx.db, manager.carrierId, id), "webhook endpoint");
  return { secret: row.secret };
}

/** Disables an endpoint: nothing more is sent to it, and its pending deliveries end failed. */
export async function disableCarrierEndpoint(ctx: Ctx, manager: WebhookManager, id: string): Promise<WebhookEndpoint> {
  foundOrNotFound(await findCarrierEndpoint(ctx.db, manager.carrierId, id), "webhook endpoint");
  const now = ctx.clock.now();
  await ctx.audit.transaction(async (trx, record) => {
    if (!(await disableEndpoint(trx, manager.carrierId, id, now))) return;
    await failPendingDeliveries(trx, id, now);
    record({
      type: "webhook_endpoint.disabled",
      subjectType: "webhook_endpoint",
      subjectId: id,
      actor: actorOf(manager.actor),
      data: { carrierId: manager.carrierId },
    });
  });
  return getEndpoint(ctx, manager, id);
}

/** An endpoint's deliveries, newest first, each with its attempts. */
export async function listDeliveries(
  ctx: Ctx,
  manager: WebhookManager,
  endpointId: string,
  query: { limit?: number; status?: string },
): Promise<WebhookDelivery[]> {
  foundOrNotFound(await findCarrierEndpoint(ctx.db, manager.carrierId, endpointId), "webhook endpoint");
  const rows = await listEndpointDeliveries(ctx.db, endpointId, { limit: query.limit ?? 50, status: query.status });
  const attempts = await attemptsOf(
    ctx.db,
    rows.map((r) => r.id),
  );
  return rows.map((row) => toWebhookDelivery(row, attempts.get(row.id) ?? []));
}

/** Sends a delivery again now, whatever its status; the receiver sees the same webhook-id. */
export async function retryDelivery(ctx: Ctx, manager: WebhookManager, id: string): Promise<WebhookDelivery> {
  const found = await findCarrierDelivery(ctx.db, manager.carrierId, id);
  if (!found) throw notFound("webhook delivery");
  if (found.endpoint_disabled_at !== null) {
    throw new ThresholdError(
      "conflict",
      "This delivery's endpoint is disabled; register an endpoint to receive events.",
    );
  }
  if (!(await scheduleNow(ctx.db, id, ctx.clock.now()))) {
    throw new ThresholdError("conflict", "This delivery is being sent right now; read its attempts in a moment.");
  }
  const row = foundOrNotFound(await findCarrierDelivery(ctx.db, manager.carrierId, id), "webhook delivery");
  const { endpoint_disabled_at: _, ...delivery } = row;
  return toWebhookDelivery(delivery, (await attemptsOf(ctx.db, [id])).get(id) ?? []);
}

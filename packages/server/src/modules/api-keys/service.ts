import { newId, randomSecret, ThresholdError } from "@threshold/core";
import { actorOf } from "../../audit/actor.js";
import type { AppContext } from "../../context.js";
import type { Actor } from "../../http/actor.js";
import { foundOrNotFound, requireRole } from "../../http/ownership.js";
import { formatApiKey, hashSecret } from "../auth/tokens.js";
import { findCarrierApiKey, insertApiKey, listCarrierApiKeys, revokeCarrierApiKey } from "./repository.js";
import { type ApiKey, type CreateApiKeyBody, toApiKey } from "./schemas.js";

type Ctx = Pick<AppContext, "db" | "clock" | "audit">;

/**
 * Only a signed-in carrier admin manages keys: a key that could mint keys would outlive its own
 * revocation. Returns the carrier whose keys they manage.
 */
function keyManager(actor: Actor, action: string): { userId: string; carrierId: string } {
  const admin = requireRole(actor, ["carrier_admin"], action);
  // accounts.ts gives every carrier admin a carrier; fail closed should a row say otherwise.
  if (!admin.carrierId) throw new ThresholdError("forbidden", "Your account belongs to no carrier; ask an operator.");
  return { userId: admin.userId, carrierId: admin.carrierId };
}

/** Creates a key; the full key is returned this once and only its hash is kept. */
export async function createApiKey(
  ctx: Ctx,
  actor: Actor,
  body: CreateApiKeyBody,
): Promise<{ apiKey: ApiKey; key: string }> {
  const { userId, carrierId } = keyManager(actor, "create API keys");
  const id = newId("apiKey", ctx.clock.now());
  const secret = randomSecret(32);
  const name = body.name.trim();
  await ctx.audit.transaction(async (trx, record) => {
    await insertApiKey(trx, {
      id,
      carrier_id: carrierId,
      name,
      scopes: JSON.stringify(body.scopes),
      secret_hash: hashSecret(secret),
      created_by: userId,
      created_at: ctx.clock.now(),
      last_used_at: null,
      revoked_at: null,
    });
    record({
      type: "api_key.created",
      subjectType: "api_key",
      subjectId: id,
      actor: actorOf(actor),
      data: { carrierId, name, scopes: [...body.scopes] },
    });
  });
  const row = foundOrNotFound(await findCarrierApiKey(ctx.db, carrierId, id), "API key");
  return { apiKey: toApiKey(row), key: formatApiKey(id, secret) };
}

export async function listApiKeys(ctx: Ctx, actor: Actor): Promise<ApiKey[]> {
  const { carrierId } = keyManager(actor, "list API keys");
  return (await listCarrierApiKeys(ctx.db, carrierId)).map(toApiKey);
}

/** Revokes one of the caller's carrier's keys; it stops working at once. */
export async function revokeApiKey(ctx: Ctx, actor: Actor, id: string): Promise<ApiKey> {
  const { carrierId } = keyManager(actor, "revoke API keys");
  foundOrNotFound(await findCarrierApiKey(ctx.db, carrierId, id), "API key");
  await ctx.audit.transaction(async (trx, record) => {
    // Revoking a revoked key changes nothing, so it records nothing.
    if (!(await revokeCarrierApiKey(trx, carrierId, id, ctx.clock.now()))) return;
    record({
      type: "api_key.revoked",
      subjectType: "api_key",
      subjectId: id,
      actor: actorOf(actor),
      data: { carrierId },
    });
  });
  return toApiKey(foundOrNotFound(await findCarrierApiKey(ctx.db, carrierId, id), "API key"));
}

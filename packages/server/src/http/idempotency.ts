import { createHash } from "node:crypto";
import { canonicalJson, ThresholdError } from "@threshold/core";
import type { FastifyRequest } from "fastify";
import Type from "typebox";
import type { AppContext } from "../context.js";

export interface StoredResponse<T> {
  status: number;
  body: T;
}

const KEY_PATTERN = /^[A-Za-z0-9_.:-]{8,128}$/;
/** How long a key is remembered; clients retry within minutes, not days. */
const RETENTION_MS = 24 * 3_600_000;
/** How long a duplicate waits for the first request to finish before answering 409. */
const WAIT_MS = 35_000;

/**
 * DESIGN.md rule 6. The first request with a key claims it by inserting a row (the primary key
 * makes the claim atomic across processes); duplicates, concurrent or later, wait for and return
 * that request's stored answer, so a side effect happens once whatever the retries. A key reused
 * with a different body is refused. A request that fails unexpectedly releases its key.
 */
export async function withIdempotency<T>(
  ctx: Pick<AppContext, "db" | "clock">,
  request: FastifyRequest,
  scope: string,
  run: () => Promise<StoredResponse<T>>,
): Promise<StoredResponse<T>> {
  const header = request.headers["idempotency-key"];
  if (header === undefined) return run();
  const key = Array.isArray(header) ? (header[0] ?? "") : header;
  if (!KEY_PATTERN.test(key)) {
    throw new ThresholdError("invalid_request", "Idempotency-Key must be 8–128 letters, digits or _ . : -");
  }
  const requestHash = createHash("sha256")
    .update(`${request.method} ${request.url} ${canonicalJson(request.body ?? null)}`)
    .digest("hex");
  const now = ctx.clock.now();
  const claimed = await ctx.db
    .insertInto("idempotency_keys")
    .values({ scope, key, request_hash: requestHash, status: null, response: null, created_at: now })
    .onConflict((oc) => oc.columns(["scope", "key"]).doNothing())
    .executeTakeFirst();

  if ((claimed.numInsertedOrUpdatedRows ?? 0n) > 0n) {
    try {
      const response = await run();
      await ctx.db
        .updateTable("idempotency_keys")
        .set({ status: response.status, response: JSON.stringify(response.body) })
        .where("scope", "=", scope)
        .where("key", "=", key)
        .execute();
      return response;
    } catch (error) {
      // A stable refusal (a ThresholdError) is an answer too; anything else lets the client retry.
      if (error instanceof ThresholdError) {
        const body = {
          error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) },
        };
        await ctx.db
          .updateTable("idempotency_keys")
          .set({ status: error.status, response: JSON.stringify(body) })
          .where("scope", "=", scope)
          .where("key", "=", key)
          .execute();
      } else {
        await ctx.db.deleteFrom("idempotency_keys").where("scope", "=", scope).where("key", "=", key).execute();
      }
      throw error;
    }
  }

  const deadline = Date.now() + WAIT_MS;
  for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
    const row = await ctx.db
      .selectFrom("idempotency_keys")
      .selectAll()
      .where("scope", "=", scope)
      .where("key", "=", key)
      .executeTakeFirst();
    if (row && row.request_hash !== requestHash) {
      throw new ThresholdError(
        "idempotency_key_reused",
        "This Idempotency-Key was used for a different request. Use a new key.",
      );
    }
    if (row && row.status !== null && row.response !== null) {
      const body = JSON.parse(row.response) as
        | T
        | { error: { code: string; message: string; details?: Record<string, unknown> } };
      if (row.status >= 400) {
        const error = (body as { error: { code: string; message: string; details?: Record<string, unknown> } }).error;
        throw new ThresholdError(
          error.code as ConstructorParameters<typeof ThresholdError>[0],
          error.message,
          error.details,
        );
      }
      return { status: row.status, body: body as T };
    }
    if (!row) return withIdempotency(ctx, request, scope, run); // the first request failed and let go
    if (Date.now() > deadline) {
      throw new ThresholdError(
        "conflict",
        "The first request with this Idempotency-Key is still running. Retry shortly.",
      );
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/** Forgets keys past retention; called by a worker. */
export async function pruneIdempotencyKeys(ctx: Pick<AppContext, "db" | "clock">): Promise<void> {
  await ctx.db
    .deleteFrom("idempotency_keys")
    .where("created_at", "<", ctx.clock.now() - RETENTION_MS)
    .execute();
}

/** The `Idempotency-Key` request header of a side-effecting route; `promise` says what one key guarantees there. */
export function idempotencyHeader(promise: string) {
  return Type.Object({
    "idempotency-key": Type.Optional(Type.String({ description: `Send the same key when retrying: ${promise}` })),
  });
}

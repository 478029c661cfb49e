import { notFound, ThresholdError } from "@threshold/core";
import { actorOf } from "../../audit/actor.js";
import type { AppContext } from "../../context.js";
import type { Actor } from "../../http/actor.js";
import { actingCarrierId, foundOrNotFound, isOperator, requireRole, visibleOrNotFound } from "../../http/ownership.js";
import { createAccount, createCarrier } from "../auth/accounts.js";
import { findCarrierById, findUserById, listCouriersOf, listUsers } from "./repository.js";
import {
  type Carrier,
  type CreateUserBody,
  toCarrier,
  toUser,
  type User,
  type UserListQuery,
  type UserRow,
} from "./schemas.js";

type Ctx = Pick<AppContext, "db" | "clock" | "audit">;

/** Operators create any account; a carrier admin creates couriers of their own carrier only. */
export async function createUser(ctx: Ctx, actor: Actor, body: CreateUserBody): Promise<User> {
  const creator = requireRole(actor, ["operator", "carrier_admin"], "create accounts");
  let carrierId = body.carrierId ?? null;
  if (creator.role === "carrier_admin") {
    if (body.role !== "courier") {
      throw new ThresholdError("forbidden", "Carrier admins create courier accounts only; ask an operator for others.");
    }
    if (carrierId !== null && carrierId !== creator.carrierId) {
      throw new ThresholdError("forbidden", "Carrier admins add couriers to their own carrier; leave carrierId out.");
    }
    carrierId = creator.carrierId;
  } else if (carrierId !== null && !(await findCarrierById(ctx.db, carrierId))) {
    throw new ThresholdError("invalid_request", "carrierId names no carrier; create it first with POST /v1/carriers.");
  }
  const { id } = await createAccount(
    ctx.db,
    ctx.clock,
    { email: body.email, name: body.name, password: body.password, role: body.role, carrierId },
    { audit: ctx.audit, actor: actorOf(actor) },
  );
  return toUser(foundOrNotFound(await findUserById(ctx.db, id), "user"));
}

/** Self, operators, and whoever runs the courier's carrier may see an account; to anyone else it does not exist. */
export async function getUser(ctx: Ctx, actor: Actor, id: string): Promise<User> {
  const row = await findUserById(ctx.db, id);
  return toUser(visibleOrNotFound(row, (user) => canSeeUser(actor, user), "user"));
}

function canSeeUser(actor: Actor, user: Pick<UserRow, "id" | "role" | "carrier_id">): boolean {
  if (isOperator(actor)) return true;
  if (actor.kind === "user" && actor.userId === user.id) return true;
  if (user.role !== "courier" || user.carrier_id === null || actingCarrierId(actor) !== user.carrier_id) return false;
  return actor.kind === "user" || actor.scopes.includes("couriers:read");
}

/** Every account, by name, for operators (who pick people by name in the audit log's filters). */
export async function listAccounts(
  ctx: Ctx,
  actor: Actor,
  query: UserListQuery,
): Promise<{ users: User[]; truncated: boolean }> {
  requireRole(actor, ["operator"], "list accounts");
  const limit = query.limit ?? 200;
  // One more than asked says whether there are more, without counting them all.
  const rows = await listUsers(ctx.db, { role: query.role, limit: limit + 1 });
  return { users: rows.slice(0, limit).map(toUser), truncated: rows.length > limit };
}

/** A carrier's couriers, for its admin, its API keys with couriers:read, and operators. */
export async function listCouriers(ctx: Ctx, actor: Actor, carrierId: string): Promise<User[]> {
  if (!isOperator(actor) && actingCarrierId(actor) !== carrierId) throw notFound("carrier");
  if (actor.kind === "api_key" && !actor.scopes.includes("couriers:read")) {
    throw new ThresholdError("forbidden", "This API key lacks the couriers:read scope; create a key that has it.");
  }
  foundOrNotFound(await findCarrierById(ctx.db, carrierId), "carrier");
  return (await listCouriersOf(ctx.db, carrierId)).map(toUser);
}

export async function addCarrier(ctx: Ctx, actor: Actor, name: string): Promise<Carrier> {
  requireRole(actor, ["operator"], "add carriers");
  const { id } = await createCarrier(ctx.db, ctx.clock, name, { audit: ctx.audit, actor: actorOf(actor) });
  return toCarrier(foundOrNotFound(await findCarrierById(ctx.db, id), "carrier"));
}

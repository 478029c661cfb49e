import { isOpeningMethod, newId, notFound, type ParcelFitCode, parcelFit, ThresholdError } from "@threshold/core";
import { actorOf } from "../../audit/actor.js";
import type { AppContext } from "../../context.js";
import { isUniqueViolation } from "../../db/errors.js";
import type { Actor } from "../../http/actor.js";
import { foundOrNotFound, isOperator, visibleOrNotFound } from "../../http/ownership.js";
import { findCarOfAccessPoint } from "../cars/repository.js";
import { trunkLimitsOf } from "../cars/service.js";
import { lockerRecipient } from "../lockers/shipment-recipient.js";
import { findSiteById } from "../sites/repository.js";
import { frontDoorsOfSites } from "./front-door.js";
import { FALLBACK_TIME_ZONE, placeTimeZones } from "./place-zone.js";
import {
  assignCourier,
  carrierNames,
  findActiveCourierOfCarrier,
  findShipmentById,
  insertShipment,
  listShipments as listShipmentRows,
  type ShipmentFilter,
  shipmentHasVisitInProgress,
  sitesByIds,
  trackingNumberExists,
} from "./repository.js";
import {
  type CreateShipmentBody,
  type ListShipmentsQuery,
  MAX_WINDOW_MS,
  type Shipment,
  type ShipmentRow,
  toShipment,
  type Viewer,
} from "./schemas.js";
import { findAccessPointForMethod } from "./site-access-points.js";

type Ctx = Pick<AppContext, "db" | "clock" | "audit" | "config">;

/** A carrier call, as requireCarrierScope resolved it: the carrier acted for and who acts. */
export interface CarrierCall {
  carrierId: string;
  actor: Actor;
}

function trackingNumberTaken(trackingNumber: string): ThresholdError {
  return new ThresholdError(
    "tracking_number_exists",
    `A shipment with tracking number ${trackingNumber} exists; a carrier's tracking numbers are unique. Read it instead of creating it again.`,
  );
}

function parseWindow(window: CreateShipmentBody["window"], now: number): { start: number; end: number } {
  const start = Date.parse(window.start);
  const end = Date.parse(window.end);
  if (Number.isNaN(start) || Number.isNaN(end)) {
    throw new ThresholdError("invalid_request", "window.start and window.end must be RFC 3339 date-times.");
  }
  if (end <= start) throw new ThresholdError("invalid_window", "The window must end after it starts.");
  if (end - start > MAX_WINDOW_MS) {
    throw new ThresholdError("invalid_window", "The window may be at most 12 hours long; split longer ones.");
  }
  if (end <= now) throw new ThresholdError("invalid_window", "The window has already ended; choose one still ahead.");
  return { start, end };
}

/**
 * A carrier creates a shipment to a site the recipient gave it at checkout. The recipient is the
 * site's owner; nothing about the site is told back beyond what the shipment needs.
 */
export async function createShipment(ctx: Ctx, carrier: CarrierCall, body: CreateShipmentBody): Promise<Shipment> {
  const now = ctx.clock.now();
  const window = parseWindow(body.window, now);
  if (await trackingNumberExists(ctx.db, carrier.carrierId, body.trackingNumber))
    throw trackingNumberTaken(body.trackingNumber);
  const site = foundOrNotFound(await findSiteById(ctx.db, body.siteId), "site");
  await requireMethodAllowed(ctx, site.id, body);
  const recipientId = body.method === "locker" ? await lockerRecipient(ctx.db, site.id, body) : site.owner_id;
  const id = newId("shipment", now);
  const row: ShipmentRow = {
    id,
    tracking_number: body.trackingNumber,
    carrier_id: carrier.carrierId,
    recipient_id: recipientId,
    site_id: site.id,
    method: body.method,
    direction: body.direction ?? "delivery",
    window_start: window.start,
    window_end: window.end,
    length_cm: body.size?.lengthCm ?? null,
    width_cm: body.size?.widthCm ?? null,
    height_cm: body.size?.heightCm ?? null,
    weight_g: body.weightG ?? null,
    perishable: body.flags?.perishable ? 1 : 0,
    locker_temperature:
      body.method === "locker"
        ? body.flags?.frozen
          ? "frozen"
          : body.flags?.perishable
            ? "chilled"
            : "ambient"
        : null,
    signature_required: body.flags?.signatureRequired ? 1 : 0,
    value_cents: body.flags?.valueCents ?? null,
    status: "created",
    courier_id: null,
    delivered_at: null,
    delivered_visit_id: null,
    created_at: now,
    updated_at: now,
  };
  try {
    await ctx.audit.transaction(async (trx, record) => {
      await insertShipment(trx, row);
      record({
        type: "shipment.created",
        subjectType: "shipment",
        subjectId: id,
        siteId: site.id,
        actor: actorOf(carrier.actor),
        data: {
          carrierId: carrier.carrierId,
          trackingNumber: row.tracking_number,
          method: row.method,
          ...(row.direction === "return" ? { direction: "return" } : {}),
          windowStart: new Date(row.window_start).toISOString(),
          windowEnd: new Date(row.window_end).toISOString(),
        },
      });
    });
  } catch (error) {
    // Two creations of one tracking number can both pass the check above; the unique index decides.
    if (isUniqueViolation(error)) throw trackingNumberTaken(body.trackingNumber);
    throw error;
  }
  return renderOne(ctx, row, "carrier");
}

const METHOD_WORDS: Record<string, string> = {
  in_home: "in-home delivery",
  in_garage: "garage delivery",
  in_fridge: "fridge delivery",
  in_trunk: "trunk delivery",
};

/**
 * A method that opens something needs the recipient's consent for it on the access point it goes
 * through; a fridge takes only perishables (what it is for, and what the recipient agreed to).
 */
async function requireMethodAllowed(ctx: Ctx, siteId: string, body: CreateShipmentBody): Promise<void> {
  if (body.direction === "return" && body.method !== "in_trunk") {
    throw new ThresholdError(
      "method_not_suited",
      "Only returns from a car's trunk (method in_trunk) are collected through Threshold so far.",
      { method: body.method },
    );
  }
  if (!isOpeningMethod(body.method)) return;
  if (body.method === "in_fridge" && body.flags?.perishable !== true) {
    throw new ThresholdError(
      "not_perishable",
      "Only perishable shipments (flags.perishable: true) may be delivered into a fridge; choose another method.",
      { method: body.method },
    );
  }
  const point = await findAccessPointForMethod(ctx.db, siteId, body.method);
  if (!point?.consent?.methods.includes(body.method)) {
    throw new ThresholdError(
      "no_consent",
      `The recipient has not opened this site to ${METHOD_WORDS[body.method]}; deliver to the doorstep instead.`,
      { method: body.method },
    );
  }
  if (body.method === "in_trunk") await requireFitsTrunk(ctx, point.id, body);
}

const FIT_MESSAGES: Record<ParcelFitCode, string> = {
  parcel_unmeasured: "A trunk delivery needs the parcel's size and weight (size, weightG); add them.",
  parcel_too_large: "The parcel does not fit the recipient's trunk; choose another method.",
  parcel_too_heavy: "The parcel is heavier than trunk delivery allows; choose another method.",
  parcel_too_valuable: "The parcel is worth more than trunk delivery allows; choose another method.",
};

/** A trunk takes what fits its stated size and the weight and value limits (docs/in-car-delivery.md). */
async function requireFitsTrunk(ctx: Ctx, accessPointId: string, body: CreateShipmentBody): Promise<void> {
  const car = await findCarOfAccessPoint(ctx.db, accessPointId);
  if (!car) {
    throw new ThresholdError(
      "no_consent",
      "The recipient's car is not set up for trunk delivery; deliver to the doorstep instead.",
    );
  }
  const limits = trunkLimitsOf(ctx.config, car);
  const [code] = parcelFit(
    {
      lengthCm: body.size?.lengthCm ?? null,
      widthCm: body.size?.widthCm ?? null,
      heightCm: body.size?.heightCm ?? null,
      weightG: body.weightG ?? null,
      valueCents: body.flags?.valueCents ?? null,
    },
    limits,
  );
  if (code) throw new ThresholdError(code, FIT_MESSAGES[code], { limits: { ...limits } });
}

/** The carrier hands its shipment to one of its own couriers; another carrier's courier does not exist. */
export async function assignShipment(ctx: Ctx, carrier: CarrierCall, id: string, courierId: string): Promise<Shipment> {
  const row = visibleOrNotFound(
    await findShipmentById(ctx.db, id),
    (s) => s.carrier_id === carrier.carrierId,
    "shipment",
  );
  if (!(await findActiveCourierOfCarrier(ctx.db, carrier.carrierId, courierId))) {
    throw new ThresholdError("courier_not_found", "No courier with that id works for your carrier.");
  }
  if (row.status !== "created" && row.status !== "assigned") {
    throw new ThresholdError("conflict", `The shipment is ${row.status}; it can no longer be assigned.`);
  }
  if (row.status === "assigned" && row.courier_id === courierId) return renderOne(ctx, row, "carrier");
  if (await shipmentHasVisitInProgress(ctx.db, row.id)) {
    throw new ThresholdError(
      "conflict",
      "A courier is at the door with this shipment; reassign it once the visit ends.",
    );
  }
  const now = ctx.clock.now();
  await ctx.audit.transaction(async (trx, record) => {
    if (!(await assignCourier(trx, row.id, courierId, ["created", "assigned"], now))) {
      throw new ThresholdError("conflict", "The shipment changed meanwhile and can no longer be assigned.");
    }
    record({
      type: "shipment.assigned",
      subjectType: "shipment",
      subjectId: row.id,
      siteId: row.site_id,
      actor: actorOf(carrier.actor),
      data: {
        carrierId: row.carrier_id,
        trackingNumber: row.tracking_number,
        courierId,
        previousCourierId: row.courier_id,
      },
    });
  });
  return renderOne(ctx, foundOrNotFound(await findShipmentById(ctx.db, row.id), "shipment"), "carrier");
}

function requireReadScope(actor: Actor): void {
  if (actor.kind === "api_key" && !actor.scopes.includes("shipments:read")) {
    throw new ThresholdError("forbidden", "This API key lacks the shipments:read scope; create a key that has it.");
  }
}

/** How `actor` relates to the shipment, or null when it is none of their business. */
function viewerOf(actor: Actor, row: ShipmentRow): Viewer | null {
  if (isOperator(actor)) return "operator";
  if (actor.kind === "api_key") return actor.carrierId === row.carrier_id ? "carrier" : null;
  if (actor.role === "carrier_admin") return actor.carrierId === row.carrier_id ? "carrier" : null;
  if (actor.role === "recipient") return actor.userId === row.recipient_id ? "recipient" : null;
  if (actor.role === "courier") return actor.userId === row.courier_id ? "courier" : null;
  return null;
}

/** Renders rows for one viewer, fetching only what that viewer may see. */
async function render(ctx: Ctx, rows: ShipmentRow[], viewer: Viewer): Promise<Shipment[]> {
  const siteIds = rows.map((row) => row.site_id);
  const needsSites = viewer === "courier" || viewer === "operator";
  const [sites, doors, names, zones] = await Promise.all([
    needsSites ? sitesByIds(ctx.db, siteIds) : undefined,
    viewer === "courier" ? frontDoorsOfSites(ctx.db, siteIds) : undefined,
    viewer === "recipient" || viewer === "operator"
      ? carrierNames(
          ctx.db,
          rows.map((row) => row.carrier_id),
        )
      : undefined,
    placeTimeZones(ctx.db, rows),
  ]);
  return rows.map((row) =>
    toShipment(row, viewer, {
      site: sites?.get(row.site_id) ?? null,
      timeZone: zones.get(row.id) ?? FALLBACK_TIME_ZONE,
      notes: doors?.get(row.site_id)?.consent?.notes ?? "",
      ...(names?.has(row.carrier_id) ? { carrierName: names.get(row.carrier_id) as string } : {}),
    }),
  );
}

async function renderOne(ctx: Ctx, row: ShipmentRow, viewer: Viewer): Promise<Shipment> {
  const [shipment] = await render(ctx, [row], viewer);
  return shipment as Shipment;
}

/** The carrier that made it, its recipient, its courier and operators; to anyone else it does not exist. */
export async function getShipment(ctx: Ctx, actor: Actor, id: string): Promise<Shipment> {
  requireReadScope(actor);
  const row = await findShipmentById(ctx.db, id);
  const viewer = row ? viewerOf(actor, row) : null;
  if (!row || !viewer) throw notFound("shipment");
  return renderOne(ctx, row, viewer);
}

export const DEFAULT_PAGE_SIZE = 50;

function encodeCursor(row: ShipmentRow): string {
  return Buffer.from(`${row.window_start}.${row.id}`).toString("base64url");
}

function decodeCursor(cursor: string): { windowStart: number; id: string } {
  const match = /^(\d{1,16})\.(shp_[0-9a-z]{26})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!match) throw new ThresholdError("invalid_request", "cursor is not a nextCursor this API gave out.");
  return { windowStart: Number(match[1]), id: match[2] as string };
}

/** Each party's own shipments, latest window first: carriers theirs, recipients theirs, couriers theirs. */
export async function listShipments(
  ctx: Ctx,
  actor: Actor,
  query: ListShipmentsQuery,
): Promise<{ shipments: Shipment[]; nextCursor: string | null }> {
  requireReadScope(actor);
  let viewer: Viewer;
  const filter: ShipmentFilter = { limit: query.limit === undefined ? DEFAULT_PAGE_SIZE : Number(query.limit) };
  if (actor.kind === "api_key") {
    viewer = "carrier";
    filter.carrierId = actor.carrierId;
  } else if (actor.role === "operator") {
    viewer = "operator";
  } else if (actor.role === "carrier_admin" && actor.carrierId) {
    viewer = "carrier";
    filter.carrierId = actor.carrierId;
  } else if (actor.role === "recipient") {
    viewer = "recipient";
    filter.recipientId = actor.userId;
  } else if (actor.role === "courier") {
    viewer = "courier";
    filter.courierId = actor.userId;
  } else {
    throw new ThresholdError("forbidden", "Shipments are for recipients, couriers, carriers and operators.");
  }
  if (query.status !== undefined) filter.status = query.status;
  const now = ctx.clock.now();
  if (query.when === "upcoming") filter.endsAfter = now;
  if (query.when === "past") filter.endsBy = now;
  if (query.cursor !== undefined) filter.before = decodeCursor(query.cursor);
  const rows = await listShipmentRows(ctx.db, { ...filter, limit: filter.limit + 1 });
  const page = rows.slice(0, filter.limit);
  const last = page[page.length - 1];
  return {
    shipments: await render(ctx, page, viewer),
    nextCursor: rows.length > filter.limit && last ? encodeCursor(last) : null,
  };
}

/** A unique-constraint failure, as SQLite (better-sqlite3) and PostgreSQL (pg) report it. */

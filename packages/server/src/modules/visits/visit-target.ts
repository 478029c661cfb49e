import type { DeliveryMethod } from "@threshold/core";
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.js";
import { findAccessPointForMethod, findSiteAccessPoint, type SiteAccessPoint } from "../shipments/index.js";
import { type Actuator, actuatorForMethod } from "./actuators.js";

/**
 * Where a shipment's visit goes. Usually one access point (the front door for in_home, the garage
 * for in_garage, a porch cooler for in_fridge). A fridge behind a front door is a chain: the visit
 * opens `outer` (the front door: its lock, its cameras, the one visit in progress there) and then,
 * on the courier's request, `inner` (the fridge). Consent is always the method's own access point's.
 */
export interface VisitTarget {
  /** The access point whose consent the method needs (the fridge in a chain). */
  point: SiteAccessPoint;
  /** What the visit opens first: its actuator, its witness cameras. */
  outer: SiteAccessPoint;
  /** The fridge behind `outer`, or null for a visit to one access point. */
  inner: SiteAccessPoint | null;
  actuator: Actuator;
}

/**
 * The visit's target, or null when the site has no access point for the method (or its chain is
 * broken: a fridge whose front door was removed is not reachable, so nothing opens). For in_home
 * this is exactly the front-door lookup it always was: no query more on the hot path.
 */
export async function findVisitTarget(
  db: Kysely<Database>,
  siteId: string,
  method: DeliveryMethod,
): Promise<VisitTarget | null> {
  const point = await findAccessPointForMethod(db, siteId, method);
  if (!point) return null;
  // The outer point opens with its own actuator: a fridge behind a front door opens through a lock.
  if (!point.viaAccessPointId) return { point, outer: point, inner: null, actuator: actuatorForMethod(method) };
  const outer = await findSiteAccessPoint(db, point.viaAccessPointId);
  if (!outer || outer.siteId !== siteId || outer.kind !== "front_door") return null;
  return { point, outer, inner: point, actuator: actuatorForMethod("in_home") };
}

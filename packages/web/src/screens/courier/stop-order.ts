/** Route order, kept free of the API client so it can be tested on its own. */

interface RouteStop {
  shipmentId: string;
  deliveredAt: string | null;
}

export const isDone = (stop: RouteStop) => stop.deliveredAt !== null;

/**
 * The stop to go to after `shipmentId`: the next undelivered one in route order, else an earlier
 * one still undelivered (skipped, or refused and to retry), else none.
 */
export function nextStopAfter<T extends RouteStop>(stops: readonly T[], shipmentId: string): T | null {
  const here = stops.findIndex((stop) => stop.shipmentId === shipmentId);
  const todo = (stop: T) => !isDone(stop) && stop.shipmentId !== shipmentId;
  return stops.slice(here + 1).find(todo) ?? stops.find(todo) ?? null;
}

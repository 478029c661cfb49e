import { useQuery } from "@tanstack/react-query";
import { api, type paths, unwrap } from "../../api";

export type Stop =
  paths["/v1/courier/stops"]["get"]["responses"]["200"]["content"]["application/json"]["stops"][number];
export type Readiness = NonNullable<Stop["readiness"]>;
export type Visit = paths["/v1/visits"]["post"]["responses"]["201"]["content"]["application/json"];

export const STOPS_QUERY = ["courier", "stops"] as const;

/** Today's stops, done ones included (marked deliveredAt), earliest window first. */
export function useStops() {
  return useQuery({
    queryKey: STOPS_QUERY,
    queryFn: async () =>
      unwrap(await api.GET("/v1/courier/stops", { params: { query: { includeDelivered: true } } })).stops,
    // Readiness changes as locks and cameras come and go; a courier glancing back sees it fresh.
    refetchInterval: 30_000,
  });
}

export { isDone, nextStopAfter } from "./stop-order";

const METHOD_WORDS: Record<Stop["method"], string> = {
  in_home: "In-home",
  in_garage: "In the garage",
  in_fridge: "In the fridge",
  in_trunk: "In the car's trunk",
  locker: "Locker",
  doorstep: "Doorstep",
};
export const methodWords = (method: Stop["method"]) => METHOD_WORDS[method];

export function addressLines(stop: Stop): string[] {
  const { line1, line2, postalCode, city } = stop.site.address;
  return [line1, ...(line2 ? [line2] : []), `${postalCode} ${city}`];
}

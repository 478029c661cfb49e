import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, type paths, unwrap } from "../../api";

/** The operator's data, read through the typed client only. */

type Json<P extends keyof paths, M extends "get" | "post"> = paths[P][M] extends {
  responses: { 200: { content: { "application/json": infer T } } };
}
  ? T
  : never;

export type FleetPage = Json<"/v1/operator/devices", "get">;
export type FleetDevice = FleetPage["devices"][number];
export type DeviceKind = FleetDevice["kind"];
export type FleetQuery = NonNullable<paths["/v1/operator/devices"]["get"]["parameters"]["query"]>;
export type FleetStatus = NonNullable<FleetQuery["status"]>;

export type Incident = Json<"/v1/incidents", "get">["incidents"][number];
export type IncidentDetail = Json<"/v1/incidents/{incidentId}", "get">;
export type AuditEvent = Json<"/v1/audit/events", "get">["events"][number];
export type AuditQuery = NonNullable<paths["/v1/audit/events"]["get"]["parameters"]["query"]>;
export type ChainReport = Json<"/v1/operator/audit/verify", "post">;

/** The fleet is watched, not just read: a lock dropping offline should show within a heartbeat or two. */
export const FLEET_REFRESH_MS = 15_000;
export const INCIDENTS_REFRESH_MS = 15_000;
export const FLEET_PAGE_SIZE = 50;
export const AUDIT_PAGE_SIZE = 50;

export const operatorKeys = {
  fleet: (filter: { status?: FleetStatus; kind?: DeviceKind }) => ["operator", "fleet", filter] as const,
  incidents: ["operator", "incidents"] as const,
  incident: (id: string) => ["operator", "incident", id] as const,
  audit: (query: AuditQuery) => ["operator", "audit", query] as const,
};

/** Every device, a page at a time ("Show more"), with counts over all pages. */
export function useFleet(filter: { status?: FleetStatus; kind?: DeviceKind }) {
  return useInfiniteQuery({
    queryKey: operatorKeys.fleet(filter),
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET("/v1/operator/devices", {
          params: { query: { ...filter, limit: FLEET_PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: FLEET_REFRESH_MS,
    placeholderData: keepPreviousData,
  });
}

/** Every incident, open ones first (the server's order). */
export function useIncidents() {
  return useQuery({
    queryKey: operatorKeys.incidents,
    queryFn: async () => unwrap(await api.GET("/v1/incidents")).incidents,
    refetchInterval: INCIDENTS_REFRESH_MS,
  });
}

/** One incident with its timeline (the audit events of the incident, its visit and the visit's commands). */
export function useIncident(incidentId: string) {
  return useQuery({
    queryKey: operatorKeys.incident(incidentId),
    queryFn: async () => unwrap(await api.GET("/v1/incidents/{incidentId}", { params: { path: { incidentId } } })),
    refetchInterval: INCIDENTS_REFRESH_MS,
  });
}

/** A resolution note and, when the person knows, whether the parcel was delivered. */
export type ResolveIncidentBody = NonNullable<
  paths["/v1/incidents/{incidentId}/resolve"]["post"]["requestBody"]
>["content"]["application/json"];

/** Resolves an incident with the operator's note, then refreshes what shows it. */
export function useResolveIncident(incidentId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: ResolveIncidentBody) =>
      unwrap(
        await api.POST("/v1/incidents/{incidentId}/resolve", {
          params: { path: { incidentId } },
          body,
        }),
      ),
    onSuccess: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: operatorKeys.incident(incidentId) }),
        queryClient.invalidateQueries({ queryKey: operatorKeys.incidents }),
      ]);
    },
  });
}

/** Every site, for the audit filter's picker (an operator's GET /v1/sites lists them all). */
export function useAllSites() {
  return useQuery({
    queryKey: ["operator", "sites"],
    queryFn: async () => unwrap(await api.GET("/v1/sites")).sites,
    staleTime: 60_000,
  });
}

/** Every account (up to 500, by name), for the audit filter's "By" picker. */
export function useAllUsers() {
  return useQuery({
    queryKey: ["operator", "users"],
    queryFn: async () => unwrap(await api.GET("/v1/users", { params: { query: { limit: 500 } } })),
    staleTime: 60_000,
  });
}

/** The most devices the audit filter's picker lists; past that, choosing a site narrows it. */
export const DEVICE_PICKER_LIMIT = 200;

export interface PickableDevice {
  id: string;
  name: string;
  siteName: string | null;
}

/**
 * Devices for the audit filter's picker: every device of the chosen site, or with no site chosen the
 * first DEVICE_PICKER_LIMIT of the fleet (`more` says there are others: choosing a site finds them).
 */
export function useDevicePicker(siteId: string) {
  return useQuery({
    queryKey: ["operator", "device-picker", siteId],
    queryFn: async (): Promise<{ devices: PickableDevice[]; more: boolean }> => {
      if (siteId) {
        const found = unwrap(await api.GET("/v1/sites/{siteId}/devices", { params: { path: { siteId } } })).devices;
        return { devices: found.map(({ id, name }) => ({ id, name, siteName: null })), more: false };
      }
      const page = unwrap(await api.GET("/v1/operator/devices", { params: { query: { limit: DEVICE_PICKER_LIMIT } } }));
      const devices = page.devices.map(({ id, name, siteName }) => ({ id, name, siteName }));
      return { devices, more: page.nextCursor !== null };
    },
    staleTime: 60_000,
  });
}

/** One page of the audit log (newest first when `order` is desc, paged with `beforeSeq`). */
export function useAuditEvents(query: AuditQuery) {
  return useQuery({
    queryKey: operatorKeys.audit(query),
    queryFn: async () => unwrap(await api.GET("/v1/audit/events", { params: { query } })).events,
    placeholderData: keepPreviousData,
  });
}

/** Re-walks the whole chain on the server. */
export function useVerifyChain() {
  return useMutation({
    mutationFn: async () => unwrap(await api.POST("/v1/operator/audit/verify")),
  });
}

import { useQuery } from "@tanstack/react-query";
import { api, type paths, unwrap } from "../../api";

/** The recipient's own data for Home, Settings and Devices, read through the typed client only. */

export type Site = paths["/v1/sites"]["get"]["responses"]["200"]["content"]["application/json"]["sites"][number];
export type SiteDetail = paths["/v1/sites/{siteId}"]["get"]["responses"]["200"]["content"]["application/json"];
export type AccessPoint = SiteDetail["accessPoints"][number];
export type Device =
  paths["/v1/sites/{siteId}/devices"]["get"]["responses"]["200"]["content"]["application/json"]["devices"][number];
export type DeviceKind = Device["kind"];
export type AccessPointConsent =
  paths["/v1/access-points/{id}/consent"]["get"]["responses"]["200"]["content"]["application/json"];
export type Consent = NonNullable<AccessPointConsent["consent"]>;
export type ConsentBody = NonNullable<
  paths["/v1/access-points/{id}/consent"]["put"]["requestBody"]
>["content"]["application/json"];
export type DeliveryMethod = AccessPointConsent["suitedMethods"][number];
export type BlockResult = paths["/v1/access/block"]["post"]["responses"]["200"]["content"]["application/json"];

/** How often Home re-reads locks, cameras and consent: soon enough that an offline lock shows up. */
export const READINESS_REFRESH_MS = 5_000;
/** The devices page is read, not watched; a slower pace is enough. */
export const DEVICES_REFRESH_MS = 10_000;

export const recipientKeys = {
  sites: ["recipient", "sites"] as const,
  site: (siteId: string) => ["recipient", "site", siteId] as const,
  devices: (siteId: string) => ["recipient", "site", siteId, "devices"] as const,
  accessPoint: (accessPointId: string) => ["recipient", "access-point", accessPointId] as const,
  consent: (accessPointId: string) => ["recipient", "access-point", accessPointId, "consent"] as const,
};

/** The recipient's sites, each with whether access is blocked now; `enabled: false` asks nothing. */
export function useSites(refetchInterval?: number, enabled = true) {
  return useQuery({
    queryKey: recipientKeys.sites,
    enabled,
    queryFn: async () => unwrap(await api.GET("/v1/sites")).sites,
    refetchInterval,
  });
}

/** One site with its access points. */
export function useSiteDetail(siteId: string, refetchInterval?: number) {
  return useQuery({
    queryKey: recipientKeys.site(siteId),
    queryFn: async () => unwrap(await api.GET("/v1/sites/{siteId}", { params: { path: { siteId } } })),
    refetchInterval,
  });
}

/** A site's devices with what each last reported (lock, door, battery, streaming). */
export function useSiteDevices(siteId: string, refetchInterval?: number) {
  return useQuery({
    queryKey: recipientKeys.devices(siteId),
    queryFn: async () => unwrap(await api.GET("/v1/sites/{siteId}/devices", { params: { path: { siteId } } })).devices,
    refetchInterval,
  });
}

export function useAccessPoint(accessPointId: string) {
  return useQuery({
    queryKey: recipientKeys.accessPoint(accessPointId),
    queryFn: async () => unwrap(await api.GET("/v1/access-points/{id}", { params: { path: { id: accessPointId } } })),
  });
}

/** A fridge's temperature as the server judges it, refreshed with the readiness; null for other kinds. */
export function useFridgeReading(accessPoint: Pick<AccessPoint, "id" | "kind">) {
  const isFridge = accessPoint.kind === "fridge";
  const detail = useQuery({
    queryKey: [...recipientKeys.accessPoint(accessPoint.id), "fridge"],
    enabled: isFridge,
    queryFn: async () =>
      unwrap(await api.GET("/v1/access-points/{id}", { params: { path: { id: accessPoint.id } } })).fridge ?? null,
    refetchInterval: READINESS_REFRESH_MS,
  });
  return isFridge ? detail.data : null;
}

/** What an access point allows, and which methods its kind can serve at all. */
export function useConsent(accessPointId: string, refetchInterval?: number) {
  return useQuery({
    queryKey: recipientKeys.consent(accessPointId),
    queryFn: async () =>
      unwrap(await api.GET("/v1/access-points/{id}/consent", { params: { path: { id: accessPointId } } })),
    refetchInterval,
  });
}

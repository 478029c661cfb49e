import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, type paths, unwrap } from "../../api";

/** The carrier admin's shipments, destinations, couriers and labels, through the typed client only. */

export type ShipmentPage = paths["/v1/shipments"]["get"]["responses"]["200"]["content"]["application/json"];
export type Shipment = ShipmentPage["shipments"][number];
export type ShipmentStatus = Shipment["status"];
export type ShipmentWhen = NonNullable<NonNullable<paths["/v1/shipments"]["get"]["parameters"]["query"]>["when"]>;
export type LabelFormat = NonNullable<
  NonNullable<paths["/v1/shipments/{id}/label"]["get"]["parameters"]["query"]>["format"]
>;

export const SHIPMENTS_REFRESH_MS = 30_000;
const PAGE_SIZE = "50";

export const carrierKeys = {
  shipmentLists: ["carrier", "shipments"] as const,
  shipments: (when: ShipmentWhen | undefined) => ["carrier", "shipments", when ?? "all"] as const,
  shipment: (id: string) => ["carrier", "shipment", id] as const,
  couriers: (carrierId: string) => ["carrier", "couriers", carrierId] as const,
  label: (id: string) => ["carrier", "label", id, "png"] as const,
  destinations: ["carrier", "destinations"] as const,
};

/** The carrier's shipments, latest window first, a page at a time. */
export function useShipments(when: ShipmentWhen | undefined) {
  return useInfiniteQuery({
    queryKey: carrierKeys.shipments(when),
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET("/v1/shipments", {
          params: {
            query: { limit: PAGE_SIZE, ...(when ? { when } : {}), ...(pageParam ? { cursor: pageParam } : {}) },
          },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: SHIPMENTS_REFRESH_MS,
    placeholderData: keepPreviousData,
  });
}

export function useShipment(id: string) {
  return useQuery({
    queryKey: carrierKeys.shipment(id),
    queryFn: async () => unwrap(await api.GET("/v1/shipments/{id}", { params: { path: { id } } })),
  });
}

const LABEL_PATH = "/v1/shipments/{id}/label" satisfies keyof paths;

/**
 * The label's own address, for links: the browser sends the session cookie with it, and a PDF
 * opens in its viewer or downloads like any file.
 */
export function labelUrl(shipmentId: string, format: LabelFormat): string {
  return `${LABEL_PATH.replace("{id}", encodeURIComponent(shipmentId))}?format=${format}`;
}

/**
 * The PNG label for the preview, fetched through the client so that a refusal comes back as the
 * server's sentence rather than a broken image.
 */
export function useLabelPng(shipmentId: string) {
  return useQuery({
    queryKey: carrierKeys.label(shipmentId),
    queryFn: async () =>
      unwrap(
        await api.GET("/v1/shipments/{id}/label", {
          params: { path: { id: shipmentId }, query: { format: "png" } },
          parseAs: "blob",
        }),
      ) as Blob,
    staleTime: 5 * 60_000,
  });
}

export type NewShipment = paths["/v1/shipments"]["post"]["requestBody"]["content"]["application/json"];
export type Destination =
  paths["/v1/shipments/destinations"]["get"]["responses"]["200"]["content"]["application/json"]["destinations"][number];
export type DeliveryMethod = NewShipment["method"];
export type Courier =
  paths["/v1/carriers/{id}/couriers"]["get"]["responses"]["200"]["content"]["application/json"]["couriers"][number];

/** The places the carrier has shipped to, for the destination picker. */
export function useDestinations() {
  return useQuery({
    queryKey: carrierKeys.destinations,
    queryFn: async () => unwrap(await api.GET("/v1/shipments/destinations")).destinations,
  });
}

/** The carrier's couriers, to assign shipments to. */
export function useCouriers(carrierId: string | null) {
  return useQuery({
    queryKey: carrierKeys.couriers(carrierId ?? "none"),
    enabled: carrierId !== null,
    queryFn: async () =>
      unwrap(await api.GET("/v1/carriers/{id}/couriers", { params: { path: { id: carrierId ?? "" } } })).couriers,
    staleTime: 5 * 60_000,
  });
}

/** What shows shipments reads again after one changes (the label images are left alone). */
function useRefreshShipments() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all(
      [carrierKeys.shipmentLists, ["carrier", "shipment"], carrierKeys.destinations].map((queryKey) =>
        queryClient.invalidateQueries({ queryKey }),
      ),
    );
}

export function useCreateShipment() {
  const refresh = useRefreshShipments();
  return useMutation({
    mutationFn: async (body: NewShipment) => unwrap(await api.POST("/v1/shipments", { body })),
    onSuccess: () => refresh(),
  });
}

export function useAssignShipment(shipmentId: string) {
  const refresh = useRefreshShipments();
  return useMutation({
    mutationFn: async (courierId: string) =>
      unwrap(
        await api.POST("/v1/shipments/{id}/assign", { params: { path: { id: shipmentId } }, body: { courierId } }),
      ),
    onSuccess: () => refresh(),
  });
}

import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { api, type paths, unwrap } from "../../api";

/** The carrier admin's shipments, couriers and labels, through the typed client only. */

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
  shipments: (when: ShipmentWhen | undefined) => ["carrier", "shipments", when ?? "all"] as const,
  shipment: (id: string) => ["carrier", "shipment", id] as const,
  couriers: (carrierId: string) => ["carrier", "couriers", carrierId] as const,
  label: (id: string) => ["carrier", "label", id, "png"] as const,
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

/** Courier names by id, so a table says "Sam" rather than usr_…. */
export function useCourierNames(carrierId: string | null) {
  return useQuery({
    queryKey: carrierKeys.couriers(carrierId ?? "none"),
    enabled: carrierId !== null,
    queryFn: async () => {
      const { couriers } = unwrap(
        await api.GET("/v1/carriers/{id}/couriers", { params: { path: { id: carrierId ?? "" } } }),
      );
      return new Map(couriers.map((courier) => [courier.id, courier.name]));
    },
    staleTime: 5 * 60_000,
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

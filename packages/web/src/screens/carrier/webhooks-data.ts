import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, type paths, unwrap } from "../../api";

/** The carrier's webhook endpoints, the event catalogue and the delivery log, through the typed client only. */

export type WebhookEndpoint =
  paths["/v1/webhooks/endpoints"]["get"]["responses"]["200"]["content"]["application/json"]["endpoints"][number];
export type NewWebhookEndpoint = paths["/v1/webhooks/endpoints"]["post"]["requestBody"]["content"]["application/json"];
export type EventTypeInfo =
  paths["/v1/webhooks/event-types"]["get"]["responses"]["200"]["content"]["application/json"]["eventTypes"][number];
export type WebhookDelivery =
  paths["/v1/webhooks/endpoints/{id}/deliveries"]["get"]["responses"]["200"]["content"]["application/json"]["deliveries"][number];

/** Deliveries change by themselves (the worker sends and retries): the log is read again this often. */
export const DELIVERIES_REFRESH_MS = 3_000;

const keys = {
  all: ["webhooks"] as const,
  endpoints: ["webhooks", "endpoints"] as const,
  endpoint: (id: string) => ["webhooks", "endpoint", id] as const,
  deliveries: (id: string) => ["webhooks", "deliveries", id] as const,
  catalogue: ["webhooks", "event-types"] as const,
};

export function useEndpoints() {
  return useQuery({
    queryKey: keys.endpoints,
    queryFn: async () => unwrap(await api.GET("/v1/webhooks/endpoints")).endpoints,
  });
}

export function useEndpoint(id: string) {
  return useQuery({
    queryKey: keys.endpoint(id),
    queryFn: async () => unwrap(await api.GET("/v1/webhooks/endpoints/{id}", { params: { path: { id } } })),
  });
}

/** The event types an endpoint can subscribe to, as the server lists them. */
export function useEventCatalogue() {
  return useQuery({
    queryKey: keys.catalogue,
    queryFn: async () => unwrap(await api.GET("/v1/webhooks/event-types")).eventTypes,
    staleTime: 60 * 60_000,
  });
}

export function useDeliveries(endpointId: string) {
  return useQuery({
    queryKey: keys.deliveries(endpointId),
    queryFn: async () =>
      unwrap(
        await api.GET("/v1/webhooks/endpoints/{id}/deliveries", {
          params: { path: { id: endpointId }, query: { limit: 50 } },
        }),
      ).deliveries,
    refetchInterval: DELIVERIES_REFRESH_MS,
  });
}

export function useRegisterEndpoint() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: NewWebhookEndpoint) => unwrap(await api.POST("/v1/webhooks/endpoints", { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.endpoints }),
  });
}

export function useDisableEndpoint(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => unwrap(await api.DELETE("/v1/webhooks/endpoints/{id}", { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.all }),
  });
}

export function useRetryDelivery(endpointId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (deliveryId: string) =>
      unwrap(await api.POST("/v1/webhooks/deliveries/{id}/retry", { params: { path: { id: deliveryId } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.deliveries(endpointId) }),
  });
}

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, type paths, unwrap } from "./api";
import { newIdempotencyKey } from "./idempotency";

/** Parcel lockers (docs/lockers.md): what residents, couriers, managers and the kiosk read and do. */
export type LockerParcel =
  paths["/v1/lockers/parcels"]["get"]["responses"]["200"]["content"]["application/json"]["parcels"][number];
export type LockerBank = paths["/v1/lockers/banks/{id}"]["get"]["responses"]["200"]["content"]["application/json"];
export type DropOffAnswer =
  paths["/v1/lockers/banks/{id}/drop-offs"]["post"]["responses"]["200"]["content"]["application/json"];

const keys = {
  parcels: ["locker-parcels"] as const,
  bank: (id: string) => ["locker-bank", id] as const,
  banks: (siteId?: string) => ["locker-banks", siteId ?? "mine"] as const,
  dashboard: (id: string) => ["locker-dashboard", id] as const,
};

export function useMyLockerParcels() {
  return useQuery({
    queryKey: keys.parcels,
    queryFn: async () => unwrap(await api.GET("/v1/lockers/parcels")).parcels,
    refetchInterval: 10_000,
  });
}

export function useLockerBank(bankId: string) {
  return useQuery({
    queryKey: keys.bank(bankId),
    queryFn: async () => unwrap(await api.GET("/v1/lockers/banks/{id}", { params: { path: { id: bankId } } })),
  });
}

export function useLockerBanks(siteId?: string) {
  return useQuery({
    queryKey: keys.banks(siteId),
    queryFn: async () =>
      unwrap(await api.GET("/v1/lockers/banks", { params: { query: siteId ? { siteId } : {} } })).banks,
  });
}

export function useLockerDashboard(bankId: string) {
  return useQuery({
    queryKey: keys.dashboard(bankId),
    queryFn: async () =>
      unwrap(await api.GET("/v1/lockers/banks/{id}/dashboard", { params: { path: { id: bankId } } })),
    refetchInterval: 10_000,
  });
}

/** The kiosk: a pickup code or a return's drop code typed (or read from a QR) at the bank. */
export function useKioskCode(bankId: string) {
  return useMutation({
    mutationFn: async (code: string) =>
      unwrap(await api.POST("/v1/lockers/banks/{id}/kiosk/code", { params: { path: { id: bankId } }, body: { code } })),
  });
}

export function useDropOff(bankId: string) {
  return useMutation({
    mutationFn: async (trackingNumber: string) =>
      unwrap(
        await api.POST("/v1/lockers/banks/{id}/drop-offs", {
          params: { path: { id: bankId } },
          body: { trackingNumber },
          headers: { "idempotency-key": newIdempotencyKey() },
        }),
      ),
  });
}

export function useDoesNotFit() {
  return useMutation({
    mutationFn: async (parcelId: string) =>
      unwrap(await api.POST("/v1/lockers/parcels/{id}/does-not-fit", { params: { path: { id: parcelId } } })),
  });
}

export function useOpenInApp() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ parcelId, location }: { parcelId: string; location: { lat: number; lng: number } }) =>
      unwrap(
        await api.POST("/v1/lockers/parcels/{id}/open", {
          params: { path: { id: parcelId } },
          body: { location },
          headers: { "idempotency-key": newIdempotencyKey() },
        }),
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.parcels }),
  });
}

export function useExtendPickup() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (parcelId: string) =>
      unwrap(await api.POST("/v1/lockers/parcels/{id}/extend", { params: { path: { id: parcelId } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.parcels }),
  });
}

export function useSharePickup() {
  return useMutation({
    mutationFn: async ({
      parcelId,
      email,
      wholeCompartment,
    }: {
      parcelId: string;
      email: string;
      /** Share every parcel behind the compartment's door too (one door, one code). */
      wholeCompartment?: boolean;
    }) =>
      unwrap(
        await api.POST("/v1/lockers/parcels/{id}/shares", {
          params: { path: { id: parcelId } },
          body: wholeCompartment ? { email, wholeCompartment } : { email },
        }),
      ),
  });
}

export function useAuditOpen(bankId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ compartment, reason }: { compartment: number; reason: string }) =>
      unwrap(
        await api.POST("/v1/lockers/banks/{id}/compartments/{number}/open", {
          params: { path: { id: bankId, number: compartment } },
          body: { reason },
        }),
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.dashboard(bankId) }),
  });
}

export const PARCEL_STATUS_WORDS: Record<LockerParcel["status"], string> = {
  reserved: "Compartment reserved",
  open: "Being dropped off",
  in_locker: "Waiting for you",
  picked_up: "Picked up",
  expired: "Expired: going back to the sender",
  collected: "Collected by the carrier",
  dropped: "Dropped: waiting for the carrier",
  cancelled: "Cancelled",
};

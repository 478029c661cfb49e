import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, type paths, unwrap } from "../../api";
import { newIdempotencyKey } from "../../idempotency";
import { daysWords } from "./words";

/** Guest keys (docs/guest-keys.md): PINs a recipient gives to people, with rules, shared by link. */
export type GuestKey =
  paths["/v1/sites/{id}/guest-keys"]["get"]["responses"]["200"]["content"]["application/json"]["guestKeys"][number];
export type GuestKeyKind = GuestKey["kind"];
export type NewGuestKey = paths["/v1/sites/{id}/guest-keys"]["post"]["requestBody"]["content"]["application/json"];
export type SharedGuestKey = paths["/v1/shared-keys/{token}"]["get"]["responses"]["200"]["content"]["application/json"];

export const guestKeyKeys = {
  all: ["guest-keys"] as const,
  of: (siteId: string) => ["guest-keys", siteId] as const,
};

/** While a key is being set or a revocation waits for the lock, ask again soon. */
const MOVING_REFRESH_MS = 2_000;
const REFRESH_MS = 30_000;

export function useGuestKeys(siteId: string) {
  return useQuery({
    queryKey: guestKeyKeys.of(siteId),
    queryFn: async () =>
      unwrap(await api.GET("/v1/sites/{id}/guest-keys", { params: { path: { id: siteId } } })).guestKeys,
    refetchInterval: (query) =>
      query.state.data?.some((key) => key.status === "setting" || key.revocation === "pending")
        ? MOVING_REFRESH_MS
        : REFRESH_MS,
  });
}

/** Gives a key; the answer comes once the lock confirmed it (active) or not (failed). */
export function useGiveGuestKey(siteId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: NewGuestKey) =>
      unwrap(
        await api.POST("/v1/sites/{id}/guest-keys", {
          params: { path: { id: siteId } },
          body,
          headers: { "idempotency-key": newIdempotencyKey() },
        }),
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: guestKeyKeys.of(siteId) }),
  });
}

export function useRevokeGuestKey(siteId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (keyId: string) =>
      unwrap(await api.DELETE("/v1/guest-keys/{id}", { params: { path: { id: keyId } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: guestKeyKeys.of(siteId) }),
  });
}

const dateTime = (iso: string) =>
  new Date(iso).toLocaleString(undefined, {
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  });

/** When a key works, in one sentence a guest understands. */
export function describeRules(
  key: Pick<
    SharedGuestKey,
    "kind" | "validFrom" | "validUntil" | "schedule" | "expiresAfterFirstUseMinutes" | "expiresAt"
  >,
): string {
  const until = key.validUntil ? ` until ${dateTime(key.validUntil)}` : "";
  switch (key.kind) {
    case "permanent":
      return `Any time${until}.`;
    case "recurring":
      return key.schedule
        ? `${daysWords(key.schedule.weekDays)}, ${key.schedule.startTime}–${key.schedule.endTime} (${key.schedule.timeZone})${until}.`
        : "On a schedule.";
    case "temporary":
      return `From ${dateTime(key.validFrom)}${until}.`;
    case "one_time":
      return `Opens once${until ? `, use it${until}` : ""}.`;
    case "expiring": {
      if (key.expiresAt) return `Works until ${dateTime(key.expiresAt)}.`;
      const minutes = key.expiresAfterFirstUseMinutes ?? 0;
      const span = minutes % 60 === 0 ? `${minutes / 60} hour${minutes === 60 ? "" : "s"}` : `${minutes} minutes`;
      return `Works for ${span} from the first time it is used${until ? `; first use${until}` : ""}.`;
    }
  }
}

export const KIND_LABELS: Record<GuestKeyKind, string> = {
  permanent: "Permanent",
  recurring: "Recurring",
  temporary: "Temporary",
  one_time: "One-time",
  expiring: "Expires after first use",
};

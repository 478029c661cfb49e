import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, type paths, unwrap } from "./api";
import { newIdempotencyKey } from "./idempotency";

/**
 * A shipment's keypad codes (docs/access-codes.md), for the carrier who asks for them and the
 * courier who types them. The server decides who sees the digits: only the assigned courier, only
 * while the code is valid; everyone else gets states.
 */
export type AccessCode =
  paths["/v1/shipments/{id}/access-codes"]["get"]["responses"]["200"]["content"]["application/json"]["accessCodes"][number];
export type AccessCodeKind = AccessCode["kind"];

/** States in which the code may still open the door (or be set to); a withdrawal still on its way counts. */
const LIVE = new Set<AccessCode["status"]>(["setting", "set", "issued", "removing"]);
export const isLive = (code: Pick<AccessCode, "status">) => LIVE.has(code.status);

/** While a code is being set on the lock, its state moves within seconds: ask again soon. */
const SETTING_REFRESH_MS = 1_500;
const REFRESH_MS = 15_000;

export const accessCodeKeys = { of: (shipmentId: string) => ["access-codes", shipmentId] as const };

export function useAccessCodes(shipmentId: string, options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: accessCodeKeys.of(shipmentId),
    enabled: options.enabled ?? true,
    queryFn: async () =>
      unwrap(await api.GET("/v1/shipments/{id}/access-codes", { params: { path: { id: shipmentId } } })).accessCodes,
    refetchInterval: (query) =>
      query.state.data?.some((code) => code.status === "setting") ? SETTING_REFRESH_MS : REFRESH_MS,
  });
}

/** The carrier asks for a code; the answer comes once the lock confirmed it (set) or not (failed). */
export function useRequestAccessCode(shipmentId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (kind: AccessCodeKind) =>
      unwrap(
        await api.POST("/v1/shipments/{id}/access-codes", {
          params: { path: { id: shipmentId } },
          body: { kind },
          headers: { "idempotency-key": newIdempotencyKey() },
        }),
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: accessCodeKeys.of(shipmentId) }),
  });
}

/** The carrier withdraws an unused code: the lock forgets a one-time code, or refuses an offline one once it hears. */
export function useWithdrawAccessCode(shipmentId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (codeId: string) =>
      unwrap(
        await api.DELETE("/v1/shipments/{id}/access-codes/{codeId}", {
          params: { path: { id: shipmentId, codeId } },
          headers: { "idempotency-key": newIdempotencyKey() },
        }),
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: accessCodeKeys.of(shipmentId) }),
  });
}

/** A code's state in words, for people. */
export const CODE_STATUS_WORDS: Record<AccessCode["status"], { label: string; pill: string }> = {
  setting: { label: "Setting on the lock…", pill: "pill pill-warn" },
  set: { label: "Set on the lock", pill: "pill pill-ok" },
  issued: { label: "Issued (offline)", pill: "pill pill-warn" },
  used: { label: "Used", pill: "pill" },
  expired: { label: "Expired", pill: "pill" },
  removed: { label: "Removed", pill: "pill" },
  removing: { label: "Withdrawal queued: the lock is unreachable", pill: "pill pill-warn" },
  failed: { label: "Not set: the lock refused", pill: "pill pill-bad" },
};

/** Why a code was removed, in words: the carrier must know a blocked code will not come back. */
export const REMOVED_REASON_WORDS: Record<NonNullable<AccessCode["removedReason"]>, string> = {
  carrier: "Withdrawn by you.",
  access_blocked:
    "Withdrawn because the recipient blocked all access. It stays withdrawn when they lift the block: ask for a new code then.",
};

/** "1234 5678": digits in groups of four (or three for nine), easier to read out and type. */
export function groupDigits(code: string): string {
  const size = code.length % 4 === 0 ? 4 : 3;
  return code.replace(new RegExp(`(\\d{${size}})(?=\\d)`, "g"), "$1 ");
}

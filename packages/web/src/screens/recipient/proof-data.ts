import { useQuery } from "@tanstack/react-query";
import type { DeliveryProof } from "@threshold/protocol";
import { api, ThresholdApiError, unwrap } from "../../api";

/**
 * Enough of the shape to render and verify: the API describes the proof as a free-form object,
 * and a screen must not crash on a malformed one (the verifier then says what is wrong).
 */
export function isDeliveryProof(value: unknown): value is DeliveryProof {
  if (typeof value !== "object" || value === null) return false;
  const proof = value as Partial<Record<keyof DeliveryProof, unknown>>;
  const keys = proof.keys as Partial<DeliveryProof["keys"]> | undefined;
  return (
    proof.version === 1 &&
    typeof proof.shipment === "object" &&
    proof.shipment !== null &&
    typeof proof.visit === "object" &&
    proof.visit !== null &&
    Array.isArray(proof.commands) &&
    Array.isArray(proof.deviceEvents) &&
    Array.isArray(proof.auditEvents) &&
    Array.isArray(keys?.server) &&
    Array.isArray(keys?.devices)
  );
}

/** The signed proof of one delivered shipment of the recipient's. */
export function useDeliveryProof(shipmentId: string) {
  return useQuery({
    queryKey: ["recipient", "proofs", shipmentId],
    queryFn: async (): Promise<DeliveryProof> => {
      const proof: unknown = unwrap(
        await api.GET("/v1/shipments/{id}/proof", { params: { path: { id: shipmentId } } }),
      );
      if (!isDeliveryProof(proof)) throw new Error("Threshold sent a proof this app cannot read. Reload to try again.");
      return proof;
    },
    // A proof never changes once the door is proven locked.
    staleTime: Number.POSITIVE_INFINITY,
    // A 404 or 409 (not delivered yet) is an answer, not a hiccup: say it at once.
    retry: (count, error) => count < 2 && !(error instanceof ThresholdApiError && error.status < 500),
  });
}

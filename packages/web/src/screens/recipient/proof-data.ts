import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { DeliveryProof } from "@threshold/protocol";
import { useEffect } from "react";
import { api, type paths, ThresholdApiError, unwrap } from "../../api";

/** A visit's clip as `GET /v1/visits/{visitId}/clip` describes it. */
export type VisitClip = paths["/v1/visits/{visitId}/clip"]["get"]["responses"]["200"]["content"]["application/json"];

/** While a clip records, how often to ask again: its segments arrive every 2 s. */
const CLIP_REFRESH_MS = 3_000;

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
    Array.isArray(keys?.devices) &&
    // A proof from before clips has none; one with a clip must list its segments.
    (proof.clip === undefined ||
      proof.clip === null ||
      (typeof proof.clip === "object" && Array.isArray((proof.clip as { segments?: unknown }).segments)))
  );
}

const proofKey = (shipmentId: string) => ["recipient", "proofs", shipmentId] as const;

/** The signed proof of one delivered shipment of the recipient's. */
export function useDeliveryProof(shipmentId: string) {
  return useQuery({
    queryKey: proofKey(shipmentId),
    queryFn: async (): Promise<DeliveryProof> => {
      const proof: unknown = unwrap(
        await api.GET("/v1/shipments/{id}/proof", { params: { path: { id: shipmentId } } }),
      );
      if (!isDeliveryProof(proof)) throw new Error("Threshold sent a proof this app cannot read. Reload to try again.");
      return proof;
    },
    // A proof never changes once the door is proven locked and its clip has finished recording
    // (useVisitClip asks for it again then).
    staleTime: Number.POSITIVE_INFINITY,
    // A 404 or 409 (not delivered yet) is an answer, not a hiccup: say it at once.
    retry: (count, error) => count < 2 && !(error instanceof ThresholdApiError && error.status < 500),
  });
}

/**
 * The visit's clip, asked for again every few seconds while it records, so the player, its state
 * and its download follow the post-roll arriving. When it has finished and the proof was loaded
 * while it still recorded, the proof is loaded again: "Verify proof" then checks the whole clip.
 * null when the visit has no clip (404: no camera, or a refused visit).
 */
export function useVisitClip(shipmentId: string, proof: DeliveryProof) {
  const visitId = proof.visit.id;
  const clip = useQuery({
    queryKey: ["recipient", "clips", visitId],
    queryFn: async (): Promise<VisitClip | null> => {
      try {
        return unwrap(await api.GET("/v1/visits/{visitId}/clip", { params: { path: { visitId } } }));
      } catch (error) {
        if (error instanceof ThresholdApiError && error.status === 404) return null;
        throw error;
      }
    },
    refetchInterval: (query) => (query.state.data?.state === "recording" ? CLIP_REFRESH_MS : false),
    retry: (count, error) => count < 2 && !(error instanceof ThresholdApiError && error.status < 500),
  });
  const queryClient = useQueryClient();
  const finished = clip.data ? clip.data.state !== "recording" : false;
  const proofRecording = proof.clip?.state === "recording";
  useEffect(() => {
    if (finished && proofRecording) void queryClient.invalidateQueries({ queryKey: proofKey(shipmentId) });
  }, [finished, proofRecording, queryClient, shipmentId]);
  return clip;
}

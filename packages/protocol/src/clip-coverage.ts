import type { DeliveryProof, ProofClip } from "./proof.js";

/**
 * Whether the clip has video at the moments that matter: the door opening and the door proven
 * locked. Facts, not forgeries. Free of Node's modules, so the web app's verifier imports it too
 * (`@threshold/protocol/clip-coverage`).
 */
export function clipCoverage(
  clip: Pick<ProofClip, "segments">,
  visit: Pick<DeliveryProof["visit"], "openedAt" | "securedAt">,
): string[] {
  const notes: string[] = [];
  const covers = (iso: string) => {
    const at = Date.parse(iso);
    return clip.segments.some((s) => s.startedAt <= at && at <= s.startedAt + s.durationMs);
  };
  if (visit.openedAt && !covers(visit.openedAt)) notes.push("The clip has no video of the door opening.");
  if (visit.securedAt && !covers(visit.securedAt)) notes.push("The clip has no video of the door being locked.");
  return notes;
}

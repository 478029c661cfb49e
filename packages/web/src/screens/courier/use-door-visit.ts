import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { api, ThresholdApiError, unwrap } from "../../api";
import { type CourierLocation, currentLocation } from "./location";
import { STOPS_QUERY, type Stop, type Visit } from "./stops-data";

/**
 * One request the courier may retry. The key is reused only when the last try got no answer (the
 * network failed), and with the very same body: the server ties a key to its body, and a retry must
 * never open the door twice. Any answer from the server, refusal included, closes the attempt.
 */
interface Attempt<Body> {
  subject: string;
  key: string;
  body: Body | null;
}

function useAttempts<Body>() {
  const current = useRef<Attempt<Body> | null>(null);
  return {
    /** The attempt to send for `subject`: the unanswered one again, or a fresh one. */
    for(subject: string): Attempt<Body> {
      if (current.current?.subject !== subject) current.current = { subject, key: newIdempotencyKey(), body: null };
      return current.current;
    },
    answered() {
      current.current = null;
    },
  };
}

/**
 * A fresh Idempotency-Key. randomUUID exists only in secure contexts; a phone reaching a test
 * server over plain http on the LAN still gets 128 random bits.
 */
function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

const answeredByServer = (error: unknown) => error instanceof ThresholdApiError;

export type ScanStep = "locating" | "opening";

interface ScanBody {
  trackingNumber: string;
  location: CourierLocation;
  siteId: string;
}

/** Visits that still need the courier: the door is open, or its locking is not confirmed. */
const UNFINISHED = new Set(["open", "securing", "incident"]);

/**
 * The open visit of this stop survives a reload of the page (a phone that slept, a mis-tap on
 * Back): without it the courier could not tap Done and the door would wait for the watchdog.
 */
function useRememberedVisit(shipmentId: string) {
  const storageKey = `threshold.courier.visit.${shipmentId}`;
  const [rememberedId] = useState(() => sessionStorage.getItem(storageKey));
  const remembered = useQuery({
    queryKey: ["courier", "visit", rememberedId],
    enabled: rememberedId !== null,
    queryFn: async () =>
      unwrap(await api.GET("/v1/visits/{visitId}", { params: { path: { visitId: rememberedId ?? "" } } })),
    staleTime: Number.POSITIVE_INFINITY,
  });
  return {
    visit: remembered.data && UNFINISHED.has(remembered.data.status) ? remembered.data : null,
    remember: (visit: Visit) => {
      if (visit.id && UNFINISHED.has(visit.status)) sessionStorage.setItem(storageKey, visit.id);
      else sessionStorage.removeItem(storageKey);
    },
  };
}

/** Scanning at the door (POST /v1/visits) and locking up (POST /v1/visits/{id}/secure) for one stop. */
export function useDoorVisit(stop: Stop) {
  const queryClient = useQueryClient();
  const scans = useAttempts<ScanBody>();
  const secures = useAttempts<null>();
  const [step, setStep] = useState<ScanStep>("locating");
  const remembered = useRememberedVisit(stop.shipmentId);

  const scan = useMutation({
    mutationFn: async (trackingNumber: string): Promise<Visit> => {
      const attempt = scans.for(trackingNumber);
      if (!attempt.body) {
        setStep("locating");
        attempt.body = { trackingNumber, location: await currentLocation(), siteId: stop.siteId };
      }
      setStep("opening");
      try {
        const visit = unwrap(
          await api.POST("/v1/visits", { body: attempt.body, headers: { "idempotency-key": attempt.key } }),
        );
        scans.answered();
        return visit;
      } catch (error) {
        if (answeredByServer(error)) scans.answered();
        throw error;
      }
    },
    onSuccess: (visit) => remembered.remember(visit),
  });

  const secure = useMutation({
    mutationFn: async (visitId: string): Promise<Visit> => {
      const attempt = secures.for(visitId);
      try {
        const visit = unwrap(
          await api.POST("/v1/visits/{visitId}/secure", {
            params: { path: { visitId } },
            headers: { "idempotency-key": attempt.key },
          }),
        );
        secures.answered();
        return visit;
      } catch (error) {
        if (answeredByServer(error)) secures.answered();
        throw error;
      }
    },
    onSuccess: (visit) => remembered.remember(visit),
    // Delivered or not, the list of stops has changed (done, or readiness).
    onSettled: () => queryClient.invalidateQueries({ queryKey: STOPS_QUERY }),
  });

  /** The visit the courier must finish, newest answer first: locked, open, or not confirmed locked. */
  const current = secure.data ?? (scan.data && UNFINISHED.has(scan.data.status) ? scan.data : null) ?? remembered.visit;
  return { scan, secure, step, current };
}

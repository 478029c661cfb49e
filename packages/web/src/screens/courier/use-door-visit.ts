import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { api, ThresholdApiError, unwrap } from "../../api";
import { newIdempotencyKey } from "../../idempotency";
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

const answeredByServer = (error: unknown) => error instanceof ThresholdApiError;

export type ScanStep = "locating" | "opening";

interface ScanBody {
  trackingNumber: string;
  location: CourierLocation;
  siteId: string;
  /** A keypad code of this stop: the scan checks in, and the server enables the code. */
  accessCodeId?: string;
}

/**
 * Visits that still need the courier: waiting for the keypad code to be typed, the door open, or
 * its locking not confirmed.
 */
const UNFINISHED = new Set(["opening", "open", "securing", "incident"]);

/** While the lock waits for the courier to type the code, how often to ask whether it opened. */
const CODE_POLL_MS = 1_000;

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

/**
 * A code visit is `opening` until the courier types the code and the lock reports it used; the
 * visit is asked for again every second until then (open, or aborted when the code was not typed).
 */
function useCodeVisit(visit: Visit | null) {
  const waiting = visit?.id && visit.status === "opening" ? visit.id : null;
  const polled = useQuery({
    queryKey: ["courier", "visit-opening", waiting],
    enabled: waiting !== null,
    queryFn: async () =>
      unwrap(await api.GET("/v1/visits/{visitId}", { params: { path: { visitId: waiting ?? "" } } })),
    refetchInterval: (query) => (query.state.data && query.state.data.status !== "opening" ? false : CODE_POLL_MS),
  });
  return waiting && polled.data?.id === waiting ? polled.data : null;
}

/** Scanning at the door (POST /v1/visits) and locking up (POST /v1/visits/{id}/secure) for one stop. */
export function useDoorVisit(stop: Stop, accessCodeId?: string) {
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
        attempt.body = {
          trackingNumber,
          location: await currentLocation(),
          siteId: stop.siteId,
          ...(accessCodeId ? { accessCodeId } : {}),
        };
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
  const answered =
    secure.data ?? (scan.data && UNFINISHED.has(scan.data.status) ? scan.data : null) ?? remembered.visit;
  const typed = useCodeVisit(answered);
  /** A code visit that ended without opening (the code was not typed in time): its answer, to show. */
  const ended = typed && !UNFINISHED.has(typed.status) && typed.status !== "secured" ? typed : null;
  const current = ended ? null : (typed ?? answered);
  return { scan, secure, step, current, ended };
}

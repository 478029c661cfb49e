import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { api, type paths, unwrap } from "../../api";
import { useSession } from "../../session";
import { recipientKeys } from "./home-data";
import { type StreamedEvent, subscribeToEvents } from "./live-stream";

export type LiveVisit =
  paths["/v1/visits/in-progress"]["get"]["responses"]["200"]["content"]["application/json"]["visits"][number];
export type Visit = paths["/v1/visits/{visitId}"]["get"]["responses"]["200"]["content"]["application/json"];
export type VisitEvent =
  paths["/v1/audit/events"]["get"]["responses"]["200"]["content"]["application/json"]["events"][number];

/** Query keys of the recipient's live data; the stream invalidates them as events arrive. */
export const LIVE_KEYS = {
  inProgress: ["recipient", "visits", "in-progress"] as const,
  visit: (visitId: string) => ["recipient", "visits", visitId] as const,
  visitEvents: (visitId: string) => ["recipient", "visits", visitId, "events"] as const,
  shipments: ["recipient", "shipments"] as const,
};

/** The visits in progress at the recipient's sites, with the courier's first name and the door. */
export function useVisitsInProgress(enabled: boolean) {
  return useQuery({
    queryKey: LIVE_KEYS.inProgress,
    queryFn: async () => unwrap(await api.GET("/v1/visits/in-progress")).visits,
    enabled,
    // The stream refreshes it within a second; polling only covers a stream that is down.
    refetchInterval: 60_000,
  });
}

export function useVisit(visitId: string) {
  return useQuery({
    queryKey: LIVE_KEYS.visit(visitId),
    queryFn: async () => unwrap(await api.GET("/v1/visits/{visitId}", { params: { path: { visitId } } })),
  });
}

/** The visit's own audit events, oldest first: its steps, and the courier's first name on the first. */
export function useVisitEvents(visitId: string) {
  return useQuery({
    queryKey: LIVE_KEYS.visitEvents(visitId),
    queryFn: async () =>
      unwrap(await api.GET("/v1/audit/events", { params: { query: { subjectId: visitId, limit: 100 } } })).events,
  });
}

export function useAccessPointName(accessPointId: string | null) {
  return useQuery({
    queryKey: ["recipient", "access-points", accessPointId],
    queryFn: async () =>
      unwrap(await api.GET("/v1/access-points/{id}", { params: { path: { id: accessPointId as string } } })).name,
    enabled: accessPointId !== null,
    staleTime: 5 * 60_000,
  });
}

/**
 * Keeps the recipient's live data fresh from the event stream: each event refreshes the visit or
 * shipment it is about, and a (re)connection refreshes everything, since events may have been
 * missed while it was down. `onEvent` hears each event too. Only recipients have a stream.
 */
export function useLiveUpdates(onEvent?: (event: StreamedEvent) => void): void {
  const { me } = useSession();
  const queryClient = useQueryClient();
  const onEventRef = useRef(onEvent);
  onEventRef.current = onEvent;

  useEffect(() => {
    if (me.role !== "recipient") return;
    return subscribeToEvents(me.id, {
      onOpen: () => {
        void queryClient.invalidateQueries({ queryKey: ["recipient", "visits"] });
        void queryClient.invalidateQueries({ queryKey: LIVE_KEYS.shipments });
      },
      onEvent: (event) => {
        if (event.subjectType === "visit" || event.type.startsWith("visit.")) {
          void queryClient.invalidateQueries({ queryKey: LIVE_KEYS.inProgress });
          void queryClient.invalidateQueries({ queryKey: LIVE_KEYS.visit(event.subjectId) });
        }
        if (event.type.startsWith("shipment.") || event.type === "visit.secured") {
          void queryClient.invalidateQueries({ queryKey: LIVE_KEYS.shipments });
        }
        if (event.subjectType === "guest_key") void queryClient.invalidateQueries({ queryKey: ["guest-keys"] });
        if (event.type.startsWith("device.") && event.siteId) {
          void queryClient.invalidateQueries({ queryKey: recipientKeys.devices(event.siteId) });
        }
        onEventRef.current?.(event);
      },
    });
  }, [me.id, me.role, queryClient]);
}

/** Now, re-rendered every `everyMs` while `running`: for elapsed times that count up. */
export function useNow(running: boolean, everyMs = 1_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!running) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [running, everyMs]);
  return now;
}

/** "45 s", "3 min 05 s", "1 h 02 min". */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

const STATUS_WORDS: Record<string, string> = {
  requested: "Checking",
  authorized: "Authorized",
  opening: "Unlocking",
  open: "Door unlocked",
  securing: "Locking",
  secure_refused: "Door still open — not locked yet",
  secured: "Locked — delivered",
  refused: "Refused",
  aborted: "Stopped — door stayed locked",
  incident: "Not confirmed locked",
};
export const visitStatusWords = (status: string) => STATUS_WORDS[status] ?? status;

const IN_PROGRESS = new Set(["requested", "authorized", "opening", "open", "securing"]);
export const isInProgress = (status: string) => IN_PROGRESS.has(status);

/** pill-ok / pill-warn / pill-bad for a visit status. */
export function visitStatusTone(status: string): "ok" | "warn" | "bad" {
  if (status === "secured") return "ok";
  if (status === "incident" || status === "aborted" || status === "refused") return "bad";
  return "warn";
}

import { type AuditEvent, REFUSAL_CODES } from "@threshold/core";
import { Counter, type Registry } from "prom-client";
import type { AuditLog } from "../audit/audit-log.js";

/**
 * The visit statuses counted, each by the audit event that records a visit reaching it. A visit
 * counts once in every status it reaches: one that is secured counts in authorized, opened and
 * secured; an incident later secured counts in both.
 */
const OUTCOMES = ["authorized", "opened", "secured", "refused", "aborted", "incident"] as const;
const REFUSAL_CODE_SET = new Set<string>(REFUSAL_CODES);

/**
 * Counts visits by outcome at their source: the audit log, which records every visit's moves and
 * announces them once they are durable, whichever module made them (doors, garages, cars,
 * lockers) and whichever worker (the watchdog's incidents and aborts). A rolled-back move is
 * never announced, so never counted. Returns the way to stop listening.
 */
export function countVisits(audit: AuditLog, registry: Registry): () => void {
  const visits = new Counter({
    name: "threshold_visits_total",
    help: "Visits that reached each status (authorized, opened, secured, refused, aborted, incident).",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  const refusals = new Counter({
    name: "threshold_visit_refusals_total",
    help: "Rules that refused a scan (a refused visit may name several), by refusal code.",
    labelNames: ["code"] as const,
    registers: [registry],
  });
  // By audit event type. Every outcome is shown from the start (at 0), so a rate exists before the first visit.
  const children = new Map<string, { inc(): void }>(
    OUTCOMES.map((outcome) => [`visit.${outcome}`, visits.labels(outcome)]),
  );

  const onAppended = (events: AuditEvent[]) => {
    for (const event of events) {
      const child = children.get(event.type);
      if (!child) continue;
      child.inc();
      if (event.type === "visit.refused") countRefusals(refusals, event.data.codes);
    }
  };
  audit.on("appended", onAppended);
  return () => audit.off("appended", onAppended);
}

/** Only the codes core defines become labels: whatever else a row holds cannot grow the series. */
function countRefusals(refusals: Counter<"code">, codes: unknown): void {
  if (!Array.isArray(codes)) return;
  for (const code of codes) {
    if (typeof code === "string" && REFUSAL_CODE_SET.has(code)) refusals.labels(code).inc();
  }
}

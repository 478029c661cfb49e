import { canonicalJson } from "./canonical-json.js";

/** The members of an audit event that its hash covers: all but the hash itself. */
export interface AuditHashFields {
  /** Position in the chain, from 1, without gaps. */
  seq: number;
  id: string;
  at: number;
  type: string;
  subjectType: string;
  subjectId: string;
  siteId: string | null;
  actorType: string;
  actorId: string | null;
  data: Record<string, unknown>;
  prevHash: string;
}

/**
 * The exact text an audit event's SHA-256 is computed over: the canonical JSON of the covered
 * members, listed (not spread) so nothing else an object carries slips in. Pure and free of
 * node:crypto, so the server and a browser checking a proof hash the same bytes.
 */
export function auditHashInput(event: AuditHashFields): string {
  return canonicalJson({
    seq: event.seq,
    id: event.id,
    at: event.at,
    type: event.type,
    subjectType: event.subjectType,
    subjectId: event.subjectId,
    siteId: event.siteId,
    actorType: event.actorType,
    actorId: event.actorId,
    data: event.data,
    prevHash: event.prevHash,
  });
}

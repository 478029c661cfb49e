import { createHash } from "node:crypto";
import { type AuditHashFields, auditHashInput } from "./audit-hash-input.js";

/** The hash that starts the chain: the event before the first one. */
export const GENESIS_HASH = "0".repeat(64);

/** One fact in the append-only audit log (DESIGN.md rule 4): the hashed members and their hash. */
export interface AuditEvent extends AuditHashFields {
  hash: string;
}

export type UnhashedAuditEvent = Omit<AuditEvent, "hash">;

/** SHA-256 over the canonical JSON of every member but the hash itself, so any edit changes it. */
export function hashAuditEvent(event: UnhashedAuditEvent): string {
  return createHash("sha256").update(auditHashInput(event)).digest("hex");
}

export type ChainProblem =
  /** `seq` is the first missing event; `foundSeq` the one that stands where it should. */
  | { kind: "gap"; seq: number; foundSeq: number }
  | { kind: "broken_link"; seq: number }
  | { kind: "bad_hash"; seq: number };

/**
 * Walks events in order and returns the first problem: a missing event (deletion), a link that
 * does not point at its predecessor (reordering, insertion, deletion), or a hash that does not
 * match its content (an edit). Feed it in pages; it carries the state between calls.
 */
export class ChainVerifier {
  private expectedSeq = 1;
  private prevHash = GENESIS_HASH;
  checked = 0;

  constructor(start?: { seq: number; prevHash: string }) {
    if (start) {
      this.expectedSeq = start.seq;
      this.prevHash = start.prevHash;
    }
  }

  next(event: AuditEvent): ChainProblem | null {
    if (event.seq !== this.expectedSeq) return { kind: "gap", seq: this.expectedSeq, foundSeq: event.seq };
    if (event.prevHash !== this.prevHash) return { kind: "broken_link", seq: event.seq };
    if (hashAuditEvent(event) !== event.hash) return { kind: "bad_hash", seq: event.seq };
    this.expectedSeq++;
    this.prevHash = event.hash;
    this.checked++;
    return null;
  }

  /** The hash a next event must link to. */
  get head(): { seq: number; hash: string } {
    return { seq: this.expectedSeq - 1, hash: this.prevHash };
  }
}

import { describe, expect, it } from "vitest";
import { type AuditEvent, ChainVerifier, GENESIS_HASH, hashAuditEvent } from "./audit-chain.js";

function chain(n: number): AuditEvent[] {
  const events: AuditEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const unhashed = {
      seq,
      id: `evt_${seq}`,
      at: 1_000 + seq,
      type: "visit.opened",
      subjectType: "visit",
      subjectId: "vis_1",
      siteId: "sit_1",
      actorType: "user",
      actorId: "usr_1",
      data: { n: seq },
      prevHash,
    };
    const event = { ...unhashed, hash: hashAuditEvent(unhashed) };
    events.push(event);
    prevHash = event.hash;
  }
  return events;
}

function verify(events: AuditEvent[]) {
  const verifier = new ChainVerifier();
  for (const event of events) {
    const problem = verifier.next(event);
    if (problem) return problem;
  }
  return null;
}

describe("audit chain", () => {
  it("verifies an untouched chain", () => {
    expect(verify(chain(5))).toBeNull();
  });

  it("catches an edit of any field", () => {
    const events = chain(5);
    events[2] = { ...(events[2] as AuditEvent), data: { n: 99 } };
    expect(verify(events)).toEqual({ kind: "bad_hash", seq: 3 });
  });

  it("catches an edit that also recomputes the edited event's hash", () => {
    const events = chain(5);
    const edited = { ...(events[1] as AuditEvent), type: "visit.secured" };
    events[1] = { ...edited, hash: hashAuditEvent(edited) };
    expect(verify(events)).toEqual({ kind: "broken_link", seq: 3 });
  });

  it("catches a deletion", () => {
    const events = chain(5);
    events.splice(2, 1);
    expect(verify(events)).toEqual({ kind: "gap", seq: 3, foundSeq: 4 });
  });

  it("catches a reordering", () => {
    const events = chain(5);
    const [a, b] = [events[1] as AuditEvent, events[2] as AuditEvent];
    events[1] = { ...b, seq: 2 };
    events[2] = { ...a, seq: 3 };
    expect(verify(events)).toEqual({ kind: "broken_link", seq: 2 });
  });
});

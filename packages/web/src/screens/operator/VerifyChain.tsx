import { Button } from "../../ui/button";
import { ErrorNote } from "../../ui/feedback";
import { type ChainReport, useVerifyChain } from "./operator-data";

const PROBLEM_WORDS: Record<string, string> = {
  gap: "an event is missing (deleted, or the chain was cut)",
  broken_link: "an event does not link to the one before it (reordered or replaced)",
  bad_hash: "an event's content does not match its hash (edited)",
};

function Report({ report }: { report: ChainReport }) {
  if (report.ok) {
    return (
      <p className="note note-ok" role="status">
        <strong>Chain verified.</strong> All {report.checked.toLocaleString()} events are intact and in order.
      </p>
    );
  }
  const problem = report.problem;
  return (
    <div className="note note-error" role="status">
      <strong>Chain broken at event #{problem?.seq ?? "?"}:</strong>{" "}
      {problem ? (PROBLEM_WORDS[problem.kind] ?? problem.kind) : "unknown problem"}. {report.checked.toLocaleString()}{" "}
      events before it checked out.
    </div>
  );
}

/** Re-walks the whole audit chain on the server and says plainly whether anyone tampered with it. */
export function VerifyChain() {
  const verify = useVerifyChain();
  return (
    <section className="card stack" aria-label="Verify the audit chain">
      <div className="spread">
        <div>
          <h2>Integrity</h2>
          <p className="small muted op-flush">
            Every event carries the hash of the one before it; an edit, deletion or reordering breaks the chain.
          </p>
        </div>
        <Button
          variant="secondary"
          pending={verify.isPending}
          pendingLabel="Verifying…"
          onClick={() => verify.mutate()}
        >
          Verify chain
        </Button>
      </div>
      {verify.isError ? <ErrorNote error={verify.error} title="Could not verify." /> : null}
      {verify.data && !verify.isPending ? <Report report={verify.data} /> : null}
    </section>
  );
}

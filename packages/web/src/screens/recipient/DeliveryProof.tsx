import type { DeliveryProof as Proof } from "@threshold/protocol";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { Button } from "../../ui/button";
import { QueryState } from "../../ui/feedback";
import { formatClock, formatDateTime } from "../../ui/format";
import { useDeliveryProof } from "./proof-data";
import { commandLabel, deviceEventLabel, deviceKindOf, proofSteps } from "./proof-timeline";
import { type ProofVerification, VerifierUnavailableError, verifyDeliveryProof } from "./proof-verify";

/**
 * The proof of one delivery: every step with its time and who signed it, the devices' signed
 * records, and a button that checks every signature and hash right here in the browser, trusting
 * only the public keys in the proof (and not this app's server).
 */
export function DeliveryProof() {
  const { shipmentId = "" } = useParams();
  const proof = useDeliveryProof(shipmentId);
  return (
    <div className="stack proof">
      <Link to="/deliveries" className="link-button proof-back">
        ← Deliveries
      </Link>
      <h1>Proof of delivery</h1>
      <QueryState query={proof} loading="Loading the proof…">
        {(data) => <ProofContent proof={data} />}
      </QueryState>
    </div>
  );
}

function ProofContent({ proof }: { proof: Proof }) {
  const courier = proof.visit.courierFirstName || "the courier";
  return (
    <>
      <section className="card stack" aria-label="Delivery">
        <div className="spread">
          <strong>{proof.shipment.trackingNumber}</strong>
          <span className={`pill ${proof.visit.status === "secured" ? "pill-ok" : "pill-warn"}`}>
            {proof.visit.status === "secured" ? "Door proven locked" : proof.visit.status}
          </span>
        </div>
        <p>
          {proof.shipment.deliveredAt
            ? `Delivered ${formatDateTime(proof.shipment.deliveredAt)} by ${courier}.`
            : `Delivered by ${courier}.`}
        </p>
        <VerifyProof proof={proof} />
      </section>
      <section className="card stack" aria-labelledby="proof-steps-title">
        <h2 id="proof-steps-title">Timeline</h2>
        <ol className="timeline proof-timeline">
          {proofSteps(proof).map((step) => (
            <li key={step.label} className={step.at ? "" : "proof-step-missing"}>
              <div className="spread">
                <strong>{step.label}</strong>
                {step.at ? (
                  <time dateTime={step.at}>{formatClock(step.at)}</time>
                ) : (
                  <span className="muted">not recorded</span>
                )}
              </div>
              <span className="small muted">{step.source}</span>
            </li>
          ))}
        </ol>
      </section>
      <SignedRecords proof={proof} />
    </>
  );
}

type VerifyState =
  | { phase: "idle" }
  | { phase: "verifying"; done: number; total: number }
  | { phase: "done"; result: ProofVerification }
  | { phase: "unavailable"; message: string };

function VerifyProof({ proof }: { proof: Proof }) {
  const [state, setState] = useState<VerifyState>({ phase: "idle" });
  const verify = async () => {
    setState({ phase: "verifying", done: 0, total: 0 });
    try {
      const result = await verifyDeliveryProof(proof, {
        onProgress: (done, total) => setState({ phase: "verifying", done, total }),
      });
      setState({ phase: "done", result });
    } catch (error) {
      const message =
        error instanceof VerifierUnavailableError ? error.message : "The check could not run. Reload and try again.";
      setState({ phase: "unavailable", message });
    }
  };
  const verifying = state.phase === "verifying";
  return (
    <div className="stack">
      <Button
        onClick={() => void verify()}
        pending={verifying}
        pendingLabel={verifying && state.total > 0 ? `Checking ${state.done} of ${state.total}…` : "Checking…"}
      >
        Verify proof
      </Button>
      {state.phase === "done" ? <VerificationResult result={state.result} /> : null}
      {state.phase === "unavailable" ? (
        <p className="note note-warn" role="alert">
          {state.message}
        </p>
      ) : null}
    </div>
  );
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function VerificationResult({ result }: { result: ProofVerification }) {
  const counts = `${plural(result.signatures, "signature", "signatures")} and ${plural(result.hashes, "hash", "hashes")} checked, ${plural(result.links, "chain link", "chain links")} followed`;
  if (result.ok) {
    return (
      <div className="note note-ok" role="status">
        <strong>Proof verified.</strong> {counts}, in this browser with the keys in the proof.
      </div>
    );
  }
  return (
    <div className="note note-error" role="status">
      <strong>Proof does NOT verify.</strong> {counts}; {plural(result.problems.length, "problem", "problems")}:
      <ul className="proof-problems">
        {result.problems.map((problem) => (
          <li key={problem}>{problem}</li>
        ))}
      </ul>
    </div>
  );
}

function SignedRecords({ proof }: { proof: Proof }) {
  return (
    <section className="card stack" aria-labelledby="proof-records-title">
      <h2 id="proof-records-title">Signed records</h2>
      <h3>Commands, signed by Threshold, and the devices' signed answers</h3>
      {proof.commands.length === 0 ? <p className="muted">None.</p> : null}
      <ul className="list proof-records">
        {proof.commands.map(({ message, ack, status }) => (
          <li key={message.id}>
            <div className="spread">
              <strong>
                {commandLabel(message.action)} → {deviceKindOf(proof, message.deviceId)}
              </strong>
              <time dateTime={new Date(message.issuedAt).toISOString()} className="muted">
                {formatClock(new Date(message.issuedAt).toISOString())}
              </time>
            </div>
            <span className="small muted">
              {ack
                ? `${ack.status} at ${formatClock(new Date(ack.at).toISOString())}, signed by the ${deviceKindOf(proof, ack.deviceId)}`
                : `no answer (${status})`}
            </span>
          </li>
        ))}
      </ul>
      <h3>Events the lock and camera signed</h3>
      {proof.deviceEvents.length === 0 ? <p className="muted">None.</p> : null}
      <ul className="list proof-records">
        {proof.deviceEvents.map((event) => (
          <li key={event.id} className="spread">
            <span>
              <strong>{deviceEventLabel(event.type)}</strong>{" "}
              <span className="small muted">by the {deviceKindOf(proof, event.deviceId)}</span>
            </span>
            <time dateTime={new Date(event.at).toISOString()} className="muted">
              {formatClock(new Date(event.at).toISOString())}
            </time>
          </li>
        ))}
      </ul>
      <h3>Audit log entries</h3>
      <ul className="list proof-records">
        {proof.auditEvents.map((event) => (
          <li key={event.id} className="spread">
            <span>
              <strong>#{event.seq}</strong> {event.type}
            </span>
            <code className="small proof-hash" title={event.hash}>
              {event.hash.slice(0, 12)}…
            </code>
          </li>
        ))}
      </ul>
    </section>
  );
}

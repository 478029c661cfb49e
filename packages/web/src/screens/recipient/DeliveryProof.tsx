import type { DeliveryProof as Proof } from "@threshold/protocol";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { Button } from "../../ui/button";
import { ClipPlayer } from "../../ui/ClipPlayer";
import { QueryState } from "../../ui/feedback";
import { formatClock, formatDateTime } from "../../ui/format";
import { useDeliveryProof, useVisitClip, type VisitClip } from "./proof-data";
import {
  clipMoments,
  clipStateWords,
  commandLabel,
  deviceEventLabel,
  deviceKindOf,
  formatVideoTime,
  proofSteps,
} from "./proof-timeline";
import { type ProofVerification, VerifierUnavailableError, verifyDeliveryProof } from "./proof-verify";
import { RefreshingQuery } from "./RefreshingQuery";

/**
 * The proof of one delivery: the witness camera's clip, every step with its time and who signed
 * it, the devices' signed records, and a button that checks every signature and hash (and the
 * clip's video against its hashes) right here in the browser, trusting only the public keys in
 * the proof (and not this app's server).
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
        {(data) => <ProofContent shipmentId={shipmentId} proof={data} />}
      </QueryState>
    </div>
  );
}

function ProofContent({ shipmentId, proof }: { shipmentId: string; proof: Proof }) {
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
      <ClipSection shipmentId={shipmentId} proof={proof} />
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
  const video =
    result.segments > 0
      ? `, ${plural(result.segments, "video segment", "video segments")} ${result.ok ? (result.segments === 1 ? "matches its hashes" : "match their hashes") : "checked"}`
      : "";
  const counts = `${plural(result.signatures, "signature", "signatures")} and ${plural(result.hashes, "hash", "hashes")} checked, ${plural(result.links, "chain link", "chain links")} followed${video}`;
  const notes =
    result.notes.length > 0 ? (
      <ul className="proof-notes" aria-label="Notes">
        {result.notes.map((note) => (
          <li key={note}>{note}</li>
        ))}
      </ul>
    ) : null;
  if (result.ok) {
    return (
      <div className="note note-ok" role="status">
        <strong>Proof verified.</strong> {counts}, in this browser with the keys in the proof.
        {notes}
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
      {notes}
    </div>
  );
}

/**
 * The witness camera's clip of the visit: a player, whether it is still recording, complete or has
 * gaps, where the unlock and the locking are in it, and the MP4. Refreshed while it records.
 */
function ClipSection({ shipmentId, proof }: { shipmentId: string; proof: Proof }) {
  const clip = useVisitClip(shipmentId, proof);
  return (
    <section className="card stack" aria-labelledby="proof-clip-title">
      <h2 id="proof-clip-title">Video</h2>
      <RefreshingQuery query={clip} loading="Loading the video…">
        {(data) => (data ? <ClipView clip={data} proof={proof} /> : <p className="muted">No video for this visit.</p>)}
      </RefreshingQuery>
    </section>
  );
}

function ClipView({ clip, proof }: { clip: VisitClip; proof: Proof }) {
  const moments = clipMoments(clip, proof.visit);
  const chapters = moments.flatMap((m) =>
    m.seconds === null ? [] : [{ label: m.label, seconds: m.seconds, time: formatVideoTime(m.seconds) }],
  );
  const outside = moments.filter((m) => m.seconds === null);
  const last = clip.segments.at(-1);
  return (
    <>
      <p className={`clip-state clip-state-${clip.state}`} data-testid="clip-state" role="status">
        {clipStateWords(clip, formatClock)}
      </p>
      {last ? (
        <>
          <ClipPlayer
            playlistUrl={clip.playlistUrl}
            label={`Video of the delivery from ${formatClock(clip.segments[0]?.startedAt ?? clip.from)}`}
            chapters={chapters}
          />
          <p className="small muted">
            {chapters.length > 0
              ? `${chapters.map((c, i) => `${i === 0 ? c.label : c.label.toLowerCase()} at ${c.time}`).join(", ")} in the video. `
              : ""}
            Recorded from {formatClock(clip.segments[0]?.startedAt ?? clip.from)} to{" "}
            {formatClock(new Date(Date.parse(last.startedAt) + last.durationMs).toISOString())} by the camera at the
            door.
          </p>
          {outside.map((m) => (
            <p key={m.label} className="note note-warn">
              {m.label} at {formatClock(m.at)}: not in the video.
            </p>
          ))}
          <a
            className="button button-secondary clip-download"
            href={clip.downloadUrl}
            download
            data-testid="clip-download"
          >
            Download MP4
          </a>
        </>
      ) : (
        <p className="muted">
          {clip.state === "recording" ? "No video has arrived yet." : "The camera sent no video for this visit."}
        </p>
      )}
    </>
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

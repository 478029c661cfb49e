import { useState } from "react";
import { Link, useParams } from "react-router";
import { Button } from "../../ui/button";
import { ErrorNote, QueryState } from "../../ui/feedback";
import { canRetry, deliveryWords, formatMoment, lastAnswer, trackingNumberOf } from "./webhook-words";
import {
  useDeliveries,
  useDisableEndpoint,
  useEndpoint,
  useRetryDelivery,
  type WebhookDelivery,
  type WebhookEndpoint,
} from "./webhooks-data";

function DeliveryRow({ delivery, endpointDisabled }: { delivery: WebhookDelivery; endpointDisabled: boolean }) {
  const retry = useRetryDelivery(delivery.endpointId);
  const words = deliveryWords(delivery);
  const answer = lastAnswer(delivery);
  const tracking = trackingNumberOf(delivery);
  return (
    <li className="cr-delivery" data-testid="delivery">
      <div className="cr-code-head">
        <code>{delivery.eventType}</code>
        <span className={words.pill} data-status={delivery.status}>
          {words.label}
        </span>
      </div>
      <dl className="facts">
        {tracking ? (
          <>
            <dt>Shipment</dt>
            <dd>{tracking}</dd>
          </>
        ) : null}
        <dt>Event at</dt>
        <dd>{formatMoment(delivery.createdAt)}</dd>
        <dt>Attempts</dt>
        <dd data-testid="attempts">{delivery.attemptCount}</dd>
        {answer ? (
          <>
            <dt>Last answer</dt>
            <dd>{answer}</dd>
          </>
        ) : null}
        {delivery.nextAttemptAt && delivery.attemptCount > 0 ? (
          <>
            <dt>Next retry</dt>
            <dd>{formatMoment(delivery.nextAttemptAt)}</dd>
          </>
        ) : null}
        {delivery.deliveredAt ? (
          <>
            <dt>Delivered</dt>
            <dd>{formatMoment(delivery.deliveredAt)}</dd>
          </>
        ) : null}
      </dl>
      {delivery.attempts.length > 0 ? (
        <details>
          <summary className="small">Every attempt</summary>
          <ol className="small cr-attempts">
            {delivery.attempts.map((attempt) => (
              <li key={attempt.attempt}>
                {formatMoment(attempt.at)}: {attempt.statusCode !== null ? `HTTP ${attempt.statusCode}` : "no answer"}
                {attempt.error && attempt.statusCode === null ? ` (${attempt.error})` : ""}, {attempt.durationMs} ms
              </li>
            ))}
          </ol>
        </details>
      ) : null}
      <p className="small muted cr-flush">
        webhook-id <code>{delivery.id}</code>
      </p>
      {canRetry(delivery, endpointDisabled) ? (
        <Button
          variant="secondary"
          pending={retry.isPending}
          pendingLabel="Sending…"
          onClick={() => retry.mutate(delivery.id)}
        >
          Retry now
        </Button>
      ) : null}
      {retry.isError ? <ErrorNote error={retry.error} title="Not retried." /> : null}
    </li>
  );
}

/** Disabling is final: asked once more, saying what it does. */
function DisableEndpoint({ endpoint }: { endpoint: WebhookEndpoint }) {
  const disable = useDisableEndpoint(endpoint.id);
  const [asking, setAsking] = useState(false);
  if (endpoint.disabledAt !== null) {
    return (
      <p className="note" role="status">
        Disabled {formatMoment(endpoint.disabledAt)}: nothing more is sent to it. Register an endpoint to receive events
        again.
      </p>
    );
  }
  return (
    <div className="stack">
      {asking ? (
        <fieldset className="note note-warn stack cr-bare">
          <legend className="cr-confirm-title">Disable this endpoint?</legend>
          <p className="cr-flush">
            Nothing more will be sent to this endpoint, and its deliveries still waiting end failed. This cannot be
            undone.
          </p>
          <div className="row">
            <Button
              variant="danger"
              pending={disable.isPending}
              pendingLabel="Disabling…"
              onClick={() => disable.mutate()}
            >
              Disable it
            </Button>
            <Button variant="ghost" onClick={() => setAsking(false)} disabled={disable.isPending}>
              Keep it
            </Button>
          </div>
        </fieldset>
      ) : (
        <Button variant="secondary" onClick={() => setAsking(true)}>
          Disable endpoint
        </Button>
      )}
      {disable.isError ? <ErrorNote error={disable.error} title="Not disabled." /> : null}
    </div>
  );
}

/** One endpoint: what it receives, its recent deliveries (status, attempts, answer, next retry) and retry. */
export function EndpointPage() {
  const { endpointId = "" } = useParams();
  const endpoint = useEndpoint(endpointId);
  const deliveries = useDeliveries(endpointId);
  return (
    <div className="stack cr-page">
      <Link to="/webhooks" className="small tap-link">
        ← All endpoints
      </Link>
      <QueryState query={endpoint} loading="Loading the endpoint…">
        {(found) => (
          <>
            <div>
              <h1>Endpoint</h1>
              <p className="cr-url cr-flush">{found.url}</p>
              <p className="small muted cr-flush">
                {found.eventTypes.includes("*") ? "All events" : found.eventTypes.join(", ")} · since{" "}
                {formatMoment(found.createdAt)}
              </p>
            </div>
            <DisableEndpoint endpoint={found} />
            <section className="stack" aria-labelledby="deliveries-title">
              <h2 id="deliveries-title">Recent deliveries</h2>
              <QueryState query={deliveries} loading="Loading the deliveries…">
                {(list) =>
                  list.length === 0 ? (
                    <p className="muted">Nothing sent yet. Events about your shipments from now on show up here.</p>
                  ) : (
                    <ul className="card cr-codes" aria-label="Deliveries">
                      {list.map((delivery) => (
                        <DeliveryRow
                          key={delivery.id}
                          delivery={delivery}
                          endpointDisabled={found.disabledAt !== null}
                        />
                      ))}
                    </ul>
                  )
                }
              </QueryState>
            </section>
          </>
        )}
      </QueryState>
    </div>
  );
}

import { useState } from "react";
import { Link } from "react-router";
import { Button } from "../../ui/button";
import { QueryState } from "../../ui/feedback";
import { RegisterEndpoint } from "./RegisterEndpoint";
import { SecretOnce } from "./SecretOnce";
import { formatMoment } from "./webhook-words";
import { useEndpoints, type WebhookEndpoint } from "./webhooks-data";

function eventsOf(endpoint: WebhookEndpoint): string {
  if (endpoint.eventTypes.includes("*")) return "All events";
  return endpoint.eventTypes.length === 1 ? "1 event" : `${endpoint.eventTypes.length} events`;
}

function EndpointCard({ endpoint }: { endpoint: WebhookEndpoint }) {
  const disabled = endpoint.disabledAt !== null;
  return (
    <li className="card cr-endpoint">
      <div className="spread">
        <h2 className="cr-url">{endpoint.url}</h2>
        <span className={disabled ? "pill pill-bad" : "pill pill-ok"}>{disabled ? "Disabled" : "Active"}</span>
      </div>
      <dl className="facts">
        <dt>Events</dt>
        <dd>{eventsOf(endpoint)}</dd>
        <dt>Since</dt>
        <dd>{formatMoment(endpoint.createdAt)}</dd>
      </dl>
      <Link
        to={`/webhooks/${endpoint.id}`}
        className="button button-secondary"
        aria-label={`Deliveries of ${endpoint.url}`}
      >
        Deliveries
      </Link>
    </li>
  );
}

/**
 * The carrier's webhook endpoints: register one (its signing secret shown once, to copy), see each
 * with its state, and open its delivery log.
 */
export function Webhooks() {
  const endpoints = useEndpoints();
  const [registering, setRegistering] = useState(false);
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);
  return (
    <div className="stack cr-page">
      <h1>Webhooks</h1>
      <p className="muted cr-flush">
        Threshold sends your systems a signed request when something happens to your shipments. Register where to send
        them, choose which events, and follow each delivery.
      </p>
      {secret ? <SecretOnce url={secret.url} secret={secret.secret} onDone={() => setSecret(null)} /> : null}
      {registering ? (
        <RegisterEndpoint
          onCancel={() => setRegistering(false)}
          onRegistered={(created) => {
            setRegistering(false);
            setSecret({ url: created.endpoint.url, secret: created.secret });
          }}
        />
      ) : (
        <Button
          onClick={() => {
            setSecret(null);
            setRegistering(true);
          }}
        >
          Register an endpoint
        </Button>
      )}
      <QueryState query={endpoints} loading="Loading your endpoints…">
        {(list) =>
          list.length === 0 ? (
            <p className="note">No endpoints yet.</p>
          ) : (
            <ul className="list cr-shipments" aria-label="Endpoints">
              {list.map((endpoint) => (
                <EndpointCard key={endpoint.id} endpoint={endpoint} />
              ))}
            </ul>
          )
        }
      </QueryState>
    </div>
  );
}

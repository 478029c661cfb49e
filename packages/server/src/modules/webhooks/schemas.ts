import type { Selectable } from "kysely";
import Type, { type Static } from "typebox";
import type { Database } from "../../db/schema.js";
import { Time } from "../../http/schema-types.js";
import { ALL_EVENT_TYPES, WEBHOOK_EVENT_TYPES } from "./event-types.js";
import { MAX_URL_LENGTH } from "./url-policy.js";

const NullableTime = (description: string) => Type.Union([Time(description), Type.Null()]);

const EventType = Type.Enum([...WEBHOOK_EVENT_TYPES, ALL_EVENT_TYPES], {
  description: "An event type, or * for every type (including ones added later).",
});

export const CreateWebhookEndpointBody = Type.Object(
  {
    url: Type.String({
      minLength: 1,
      maxLength: MAX_URL_LENGTH,
      description: "Where to POST events: an https:// URL on the public internet, without credentials.",
    }),
    eventTypes: Type.Optional(
      Type.Array(EventType, {
        minItems: 1,
        maxItems: WEBHOOK_EVENT_TYPES.length + 1,
        uniqueItems: true,
        description: "The events to receive; every type when left out.",
      }),
    ),
  },
  { additionalProperties: false },
);
export type CreateWebhookEndpointBody = Static<typeof CreateWebhookEndpointBody>;

export const WebhookEndpoint = Type.Object({
  id: Type.String({ description: "whe_…" }),
  url: Type.String(),
  eventTypes: Type.Array(EventType),
  createdAt: Time("When the endpoint was registered; it receives events from then on."),
  disabledAt: NullableTime("When the endpoint was disabled; it receives nothing more."),
});
export type WebhookEndpoint = Static<typeof WebhookEndpoint>;

const Secret = Type.String({
  description:
    "The signing secret, whsec_<base64 key>: verify each request's webhook-signature with it, as the Standard Webhooks specification describes.",
});

export const CreatedWebhookEndpoint = Type.Object({ endpoint: WebhookEndpoint, secret: Secret });
export const WebhookEndpointList = Type.Object({ endpoints: Type.Array(WebhookEndpoint) });
export const WebhookEndpointSecret = Type.Object({ secret: Secret });

export const WebhookAttempt = Type.Object({
  attempt: Type.Integer({ minimum: 1 }),
  at: Time("When the attempt started."),
  statusCode: Type.Union([Type.Integer(), Type.Null()], { description: "The receiver's HTTP status, if it answered." }),
  error: Type.Union([Type.String(), Type.Null()], { description: "Why the attempt failed; null when it succeeded." }),
  durationMs: Type.Integer(),
});
export type WebhookAttempt = Static<typeof WebhookAttempt>;

export const DeliveryStatus = Type.Enum(["pending", "succeeded", "failed"], {
  description: "pending: to be sent (again); succeeded: a 2xx was received; failed: every attempt failed.",
});

export const WebhookDelivery = Type.Object({
  id: Type.String({ description: "msg_…, sent as webhook-id: the same on every attempt, so de-duplicate on it." }),
  endpointId: Type.String(),
  eventType: Type.String(),
  status: DeliveryStatus,
  attemptCount: Type.Integer({ minimum: 0 }),
  nextAttemptAt: NullableTime("When the next attempt is due; null unless pending."),
  lastStatusCode: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Time("When the event was enqueued for this endpoint."),
  deliveredAt: NullableTime("When a 2xx was received."),
  auditEventId: Type.Union([Type.String(), Type.Null()], { description: "The audit event announced (evt_…)." }),
  payload: Type.Record(Type.String(), Type.Unknown(), { description: "The body sent: { type, timestamp, data }." }),
  attempts: Type.Array(WebhookAttempt, { description: "Every attempt, oldest first." }),
});
export type WebhookDelivery = Static<typeof WebhookDelivery>;

export const WebhookDeliveryList = Type.Object({ deliveries: Type.Array(WebhookDelivery) });

export const DeliveryListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, description: "At most this many (50 by default)." })),
  status: Type.Optional(DeliveryStatus),
});

export type EndpointRow = Omit<Selectable<Database["webhook_endpoints"]>, "secret">;
export type DeliveryRow = Selectable<Database["webhook_deliveries"]>;
export type AttemptRow = Selectable<Database["webhook_attempts"]>;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function toWebhookEndpoint(row: EndpointRow): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    eventTypes: JSON.parse(row.event_types) as WebhookEndpoint["eventTypes"],
    createdAt: new Date(row.created_at).toISOString(),
    disabledAt: iso(row.disabled_at),
  };
}

export function toWebhookDelivery(row: DeliveryRow, attempts: AttemptRow[]): WebhookDelivery {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    eventType: row.event_type,
    status: row.status as WebhookDelivery["status"],
    attemptCount: row.attempts,
    nextAttemptAt: row.status === "pending" ? iso(row.next_attempt_at) : null,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    createdAt: new Date(row.created_at).toISOString(),
    deliveredAt: iso(row.delivered_at),
    auditEventId: row.audit_event_id,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    attempts: attempts.map((a) => ({
      attempt: a.attempt,
      at: new Date(a.at).toISOString(),
      statusCode: a.status_code,
      error: a.error,
      durationMs: a.duration_ms,
    })),
  };
}

import type { OpenAPIV3, OpenAPIV3_1 } from "openapi-types";
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from "./event-types.js";

/** The id a payload always carries for its subject, when the event is about a shipment, visit or incident. */
/** An object schema both 3.0 and 3.1 typings accept: @fastify/swagger types a 3.1 schema as both at once. */
type ObjectSchema = OpenAPIV3.NonArraySchemaObject & OpenAPIV3_1.NonArraySchemaObject;

const SUBJECT_KEYS: Record<string, string> = { shipment: "shipmentId", visit: "visitId", incident: "incidentId" };

const ID = { type: "string", minLength: 1 } as const;

/** The `data` of one event type: the audit event's data, the subject's id, and its place in the chain. */
function dataSchema(type: WebhookEventType): ObjectSchema {
  const subjectKey = SUBJECT_KEYS[type.split(".")[0] ?? ""];
  return {
    type: "object",
    description:
      "The audit event's data (its fields depend on the event and may grow), with the subject's id and the event's place in the audit chain.",
    required: ["auditSeq", "auditEventId", ...(subjectKey ? [subjectKey] : [])],
    properties: {
      auditSeq: {
        type: "integer",
        minimum: 1,
        description: "The event's seq in the audit log (GET /v1/audit/events).",
      },
      auditEventId: { ...ID, description: "The audit event's id (evt_…)." },
      carrierId: { ...ID, description: "The carrier the event concerns, when the event names it." },
      shipmentId: { ...ID, description: "The shipment (shp_…)." },
      visitId: { ...ID, description: "The visit (vis_…)." },
      incidentId: { ...ID, description: "The incident." },
      trackingNumber: { type: "string", description: "The shipment's tracking number." },
      courierId: { ...ID, description: "The courier's user id." },
    },
    additionalProperties: true,
  };
}

function payloadSchema(type: WebhookEventType): ObjectSchema {
  return {
    type: "object",
    required: ["type", "timestamp", "data"],
    properties: {
      type: { type: "string", const: type },
      timestamp: {
        type: "string",
        format: "date-time",
        description: "When the event happened (the audit event's time).",
      },
      data: dataSchema(type),
    },
    additionalProperties: false,
  };
}

function header(name: string, description: string): OpenAPIV3_1.ParameterObject {
  return { name, in: "header", required: true, description, schema: { type: "string" } };
}

const HEADERS = [
  header(
    "webhook-id",
    "The message id (msg_…): the same on every retry of one message, so receivers can drop duplicates.",
  ),
  header(
    "webhook-timestamp",
    "Seconds since the epoch when this attempt was signed; refuse one more than 5 minutes off.",
  ),
  header(
    "webhook-signature",
    'Space-separated `v1,<base64>` HMAC-SHA256 signatures of "{webhook-id}.{webhook-timestamp}.{body}", keyed with the base64 part of the endpoint\'s `whsec_` secret.',
  ),
];

/** `visit.opened` → `webhookVisitOpened`. */
function operationIdOf(type: WebhookEventType): string {
  return `webhook${type
    .split(/[._]/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join("")}`;
}

function webhookOf(type: WebhookEventType): OpenAPIV3_1.PathItemObject {
  return {
    post: {
      operationId: operationIdOf(type),
      tags: ["webhooks"],
      summary: `${type}, sent to endpoints subscribed to it or to *`,
      description:
        "Signed with the endpoint's secret (Standard Webhooks); no credentials of the receiver's are sent. See docs/webhooks.md.",
      security: [],
      parameters: HEADERS,
      requestBody: { required: true, content: { "application/json": { schema: payloadSchema(type) } } },
      responses: {
        "2XX": { description: "Received. Any other answer, or none in time, is retried with backoff." },
        "4XX": { description: "Not accepted; retried with backoff like any answer other than 2XX." },
      },
    },
  };
}

/**
 * The OpenAPI 3.1 `webhooks` section: one entry per event a carrier can subscribe to, with the
 * body Threshold POSTs (`webhookPayload` in workers/webhooks/fan-out.ts) and the Standard Webhooks
 * headers that sign it. See docs/webhooks.md.
 */
export function openApiWebhooks(): Record<string, OpenAPIV3_1.PathItemObject> {
  return Object.fromEntries(WEBHOOK_EVENT_TYPES.map((type) => [type, webhookOf(type)]));
}

import type { WebhookDelivery } from "./webhooks-data";

type DeliveryStatus = WebhookDelivery["status"];

/**
 * A delivery's state in words. "pending" covers both a first send not made yet and a retry
 * waiting for its time, so it reads by whether an attempt has failed already.
 */
export function deliveryWords(delivery: Pick<WebhookDelivery, "status" | "attemptCount">): {
  label: string;
  pill: string;
} {
  const byStatus: Record<DeliveryStatus, { label: string; pill: string }> = {
    succeeded: { label: "Delivered", pill: "pill pill-ok" },
    failed: { label: "Failed", pill: "pill pill-bad" },
    pending:
      delivery.attemptCount > 0
        ? { label: "Failing: will retry", pill: "pill pill-warn" }
        : { label: "Sending", pill: "pill" },
  };
  return byStatus[delivery.status];
}

/** Whether the screen offers to send it again now: after a failure, while its endpoint is on. */
export function canRetry(delivery: Pick<WebhookDelivery, "status" | "attemptCount">, endpointDisabled: boolean) {
  if (endpointDisabled) return false;
  return delivery.status === "failed" || (delivery.status === "pending" && delivery.attemptCount > 0);
}

/** The last answer, as a receiver's operator reads it: "HTTP 500", or why there was none. */
export function lastAnswer(delivery: Pick<WebhookDelivery, "lastStatusCode" | "lastError">): string | null {
  if (delivery.lastStatusCode !== null) return `HTTP ${delivery.lastStatusCode}`;
  return delivery.lastError;
}

const momentFormat = new Intl.DateTimeFormat("en-GB", {
  weekday: "short",
  day: "numeric",
  month: "short",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
  timeZoneName: "short",
});

/**
 * A moment of the delivery log, in the viewer's zone with the zone named ("Wed 9 Dec, 14:03:12 CET"):
 * a webhook belongs to no place, and the receiver's logs are what it is compared with.
 */
export function formatMoment(iso: string): string {
  return momentFormat.format(new Date(iso));
}

/** "shipment.created" → "shipment": how the catalogue is grouped for choosing. */
export function groupOf(type: string): string {
  return type.split(".")[0] ?? type;
}

export const GROUP_WORDS: Record<string, string> = {
  shipment: "Shipments",
  visit: "Visits",
  incident: "Incidents",
  access_code: "Keypad codes",
  locker: "Lockers",
};

/** The tracking number the event is about, when its payload names one: how a dispatcher knows a row. */
export function trackingNumberOf(delivery: Pick<WebhookDelivery, "payload">): string | null {
  const data = delivery.payload.data;
  if (typeof data !== "object" || data === null || !("trackingNumber" in data)) return null;
  return typeof data.trackingNumber === "string" ? data.trackingNumber : null;
}

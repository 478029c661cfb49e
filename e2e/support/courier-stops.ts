import { baseUrl, DEMO, DEMO_PASSWORD, demoApiKey } from "./demo.js";

/**
 * Setting up and checking through the API (not the UI), with plain fetch: kept out of Playwright's
 * request tracing, whose files live in the shared output directory.
 */

/** The demo home's geo point (packages/cli/src/commands/demo.ts): where the courier stands at the door. */
export const DEMO_HOME_LOCATION = { latitude: 52.3731, longitude: 4.8922 } as const;

interface StopSummary {
  shipmentId: string;
  trackingNumber: string;
  deliveredAt: string | null;
}

async function call<T>(path: string, init: { method?: string; headers?: Record<string, string>; body?: unknown }) {
  const response = await fetch(`${baseUrl()}${path}`, {
    method: init.method ?? "GET",
    headers: { ...(init.body === undefined ? {} : { "content-type": "application/json" }), ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (!response.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${response.status} ${await response.text()}`);
  return { body: (await response.json()) as T, response };
}

/** A demo person's session cookie. */
async function signIn(email: string): Promise<Record<string, string>> {
  const { response } = await call("/v1/auth/login", { method: "POST", body: { email, password: DEMO_PASSWORD } });
  const cookie = response.headers
    .getSetCookie()
    .map((header) => header.split(";")[0])
    .join("; ");
  return { cookie };
}

/** Sam's id and today's stops, done ones included. */
export async function courierView(): Promise<{ courierId: string; stops: StopSummary[] }> {
  const headers = await signIn(DEMO.courier);
  const me = await call<{ user: { id: string } }>("/v1/me", { headers });
  const { body } = await call<{ stops: StopSummary[] }>("/v1/courier/stops?includeDelivered=true", { headers });
  return { courierId: me.body.user.id, stops: body.stops };
}

/** Alex's home (the demo's only site). */
async function alexsHomeId(): Promise<string> {
  const headers = await signIn(DEMO.recipient);
  const home = (await call<{ sites: { id: string }[] }>("/v1/sites", { headers })).body.sites[0];
  if (!home) throw new Error("the demo has no home for Alex");
  return home.id;
}

/**
 * A new in-home shipment to Alex's home, assigned to Sam, as the carrier's dispatch system would
 * send it (the same bodies as the demo's own shipments), so a test owns its stop.
 */
export async function createStopForSam(
  trackingNumber: string,
  window: { start: Date; end: Date },
  method: "in_home" | "in_trunk" = "in_home",
): Promise<string> {
  const [{ courierId }, siteId] = await Promise.all([courierView(), alexsHomeId()]);
  const headers = { authorization: `Bearer ${demoApiKey()}` };
  const shipment = await call<{ id: string }>("/v1/shipments", {
    method: "POST",
    headers,
    body: {
      trackingNumber,
      siteId,
      method,
      window: { start: window.start.toISOString(), end: window.end.toISOString() },
      size: { lengthCm: 30, widthCm: 20, heightCm: 15 },
      weightG: 1200,
    },
  });
  await call(`/v1/shipments/${shipment.body.id}/assign`, { method: "POST", headers, body: { courierId } });
  return shipment.body.id;
}

/** The demo's locker bank at Canal House, and a new locker shipment for Jo assigned to Sam. */
export async function createLockerParcelForJo(trackingNumber: string): Promise<{ bankId: string; shipmentId: string }> {
  const courier = await signIn(DEMO.courier);
  const { courierId } = await courierView();
  const bank = (await call<{ banks: { id: string; siteId: string }[] }>("/v1/lockers/banks", { headers: courier })).body
    .banks[0];
  if (!bank) throw new Error("the demo has no locker bank");
  const headers = { authorization: `Bearer ${demoApiKey()}` };
  const now = Date.now();
  const shipment = await call<{ id: string }>("/v1/shipments", {
    method: "POST",
    headers,
    body: {
      trackingNumber,
      siteId: bank.siteId,
      method: "locker",
      residentEmail: DEMO.resident,
      window: { start: new Date(now - 3_600_000).toISOString(), end: new Date(now + 3_600_000).toISOString() },
      size: { lengthCm: 30, widthCm: 20, heightCm: 6 },
      weightG: 700,
    },
  });
  await call(`/v1/shipments/${shipment.body.id}/assign`, { method: "POST", headers, body: { courierId } });
  return { bankId: bank.id, shipmentId: shipment.body.id };
}

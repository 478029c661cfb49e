import { type Clock, isId, systemClock } from "@threshold/core";
import { exportPrivateKeyPem, exportPublicKey, generateEd25519, importPublicKey } from "@threshold/protocol";
import type { AgentKind, DeviceIdentity, ServerKey } from "./identity.js";
import { sleep } from "./sleep.js";

export interface PairDeviceOptions {
  /** Base URL of the Threshold server, e.g. http://localhost:8080. */
  serverUrl: string;
  kind: AgentKind;
  /** Local name of the device; kept in its identity. */
  name: string;
  model: string;
  firmware: string;
  /** Called once the server has issued a code, so the device can show it to its owner. */
  onCode: (code: string, expiresAt: Date) => void;
  signal?: AbortSignal;
  fetch?: typeof fetch;
  clock?: Clock;
}

/** The server's answer to a pairing request (POST /v1/pairing-requests). */
interface PairingTicket {
  id: string;
  code: string;
  pollToken: string;
  expiresAt: Date;
  pollIntervalMs: number;
}

/** What the server hands over once an owner has entered the code; credentials come exactly once. */
interface PairedDevice {
  device: { id: string; siteId: string; name: string };
  mqtt: { url: string; username: string; password: string };
  serverKeys: ServerKey[];
  currentKid: string;
  offlineSecret?: string;
}

// Bounds on the server's suggested poll interval: never hammer it, never wait past a short code's life.
const MIN_POLL_INTERVAL_MS = 50;
const MAX_POLL_INTERVAL_MS = 10_000;

/**
 * Pairs a new device: makes its own Ed25519 key pair (the private key never leaves the device),
 * asks the server for a pairing code, shows it through `onCode`, and polls until an owner has
 * entered it. Returns the identity to save; throws when the code expires.
 */
export async function pairDevice(options: PairDeviceOptions): Promise<DeviceIdentity> {
  const { signal, clock = systemClock } = options;
  const http = options.fetch ?? fetch;
  const base = options.serverUrl.replace(/\/+$/, "");
  const keys = generateEd25519();
  const publicKey = exportPublicKey(keys.publicKey);

  const ticket = await requestPairing(http, base, {
    kind: options.kind,
    publicKey,
    model: options.model,
    firmware: options.firmware,
    signal,
  });
  options.onCode(ticket.code, ticket.expiresAt);

  const paired = await pollUntilPaired(http, base, ticket, clock, signal);
  return {
    deviceId: paired.device.id,
    kind: options.kind,
    name: options.name,
    privateKeyPem: exportPrivateKeyPem(keys.privateKey),
    publicKey,
    mqtt: paired.mqtt,
    serverKeys: paired.serverKeys,
    trustedKid: paired.currentKid,
    ...(paired.offlineSecret ? { offlineSecret: paired.offlineSecret } : {}),
  };
}

async function requestPairing(
  http: typeof fetch,
  base: string,
  request: { kind: AgentKind; publicKey: string; model: string; firmware: string; signal: AbortSignal | undefined },
): Promise<PairingTicket> {
  const { signal, ...body } = request;
  const response = await http(`${base}/v1/pairing-requests`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
  if (response.status !== 201) throw await serverError("the pairing request was refused", response);
  return parseTicket(await readJson(response));
}

async function pollUntilPaired(
  http: typeof fetch,
  base: string,
  ticket: PairingTicket,
  clock: Clock,
  signal: AbortSignal | undefined,
): Promise<PairedDevice> {
  const expired = () =>
    new Error(`pairing code ${ticket.code} expired before it was entered; restart pairing to get a new code`);
  for (;;) {
    if (clock.now() > ticket.expiresAt.getTime()) throw expired();
    await sleep(ticket.pollIntervalMs, signal);
    let response: Response;
    try {
      response = await http(`${base}/v1/pairing-requests/${encodeURIComponent(ticket.id)}`, {
        headers: { authorization: `Bearer ${ticket.pollToken}` },
        ...(signal ? { signal } : {}),
      });
    } catch {
      // A server restart or a network blip must not cost the owner their code: try again until it expires.
      if (signal?.aborted) throw signal.reason;
      continue;
    }
    if (response.status === 404) throw expired();
    if (response.status >= 500) continue;
    if (response.status !== 200) throw await serverError("polling the pairing request failed", response);
    const result = parsePollResult(await readJson(response));
    if (result) return result;
  }
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    throw new Error(`the server answered ${response.status} with a body that is not JSON`);
  }
}

/** Turns an error response ({ error: { code, message } }) into an Error that names it. */
async function serverError(what: string, response: Response): Promise<Error> {
  let detail = `HTTP ${response.status}`;
  try {
    const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code === "string") detail += ` ${body.error.code}`;
    if (typeof body.error?.message === "string") detail += `: ${body.error.message}`;
  } catch {
    // The body is not JSON; the status alone has to do.
  }
  return new Error(`${what} (${detail})`);
}

function parseTicket(value: unknown): PairingTicket {
  const body = record(value, "pairing request response");
  const id = body.id;
  if (!isId("pairing", id)) throw invalid("pairing request response", "id");
  const code = text(body.code, "pairing request response", "code");
  const pollToken = text(body.pollToken, "pairing request response", "pollToken");
  const expiresAt = new Date(text(body.expiresAt, "pairing request response", "expiresAt"));
  if (Number.isNaN(expiresAt.getTime())) throw invalid("pairing request response", "expiresAt");
  const interval = body.pollIntervalMs;
  if (typeof interval !== "number" || !Number.isFinite(interval)) {
    throw invalid("pairing request response", "pollIntervalMs");
  }
  const pollIntervalMs = Math.min(Math.max(interval, MIN_POLL_INTERVAL_MS), MAX_POLL_INTERVAL_MS);
  return { id, code, pollToken, expiresAt, pollIntervalMs };
}

/** The paired device, or null while the request is still pending. */
function parsePollResult(value: unknown): PairedDevice | null {
  const where = "pairing status response";
  const body = record(value, where);
  if (body.status === "pending") return null;
  if (body.status !== "paired") throw invalid(where, "status");
  const device = record(body.device, `${where} device`);
  if (!isId("device", device.id)) throw invalid(where, "device.id");
  const mqtt = record(body.mqtt, `${where} mqtt`);
  if (!Array.isArray(body.serverKeys) || body.serverKeys.length === 0) throw invalid(where, "serverKeys");
  const serverKeys = body.serverKeys.map((entry: unknown, index): ServerKey => {
    const key = record(entry, `${where} serverKeys[${index}]`);
    const publicKey = text(key.publicKey, where, `serverKeys[${index}].publicKey`);
    try {
      importPublicKey(publicKey);
    } catch {
      throw invalid(where, `serverKeys[${index}].publicKey`);
    }
    return { kid: text(key.kid, where, `serverKeys[${index}].kid`), publicKey };
  });
  const currentKid = text(body.currentKid, where, "currentKid");
  if (!serverKeys.some((key) => key.kid === currentKid)) throw invalid(where, "currentKid");
  return {
    device: {
      id: device.id,
      siteId: text(device.siteId, where, "device.siteId"),
      name: text(device.name, where, "device.name"),
    },
    mqtt: {
      url: text(mqtt.url, where, "mqtt.url"),
      username: text(mqtt.username, where, "mqtt.username"),
      password: text(mqtt.password, where, "mqtt.password"),
    },
    serverKeys,
    currentKid,
    ...offlineSecretOf(body.offlineSecret, where),
  };
}

/** The pairing secret for offline codes, when the server sends one (servers before issue 6 do not). */
function offlineSecretOf(value: unknown, where: string): { offlineSecret?: string } {
  if (value === undefined) return {};
  if (typeof value !== "string" || Buffer.from(value, "base64url").length !== 32) throw invalid(where, "offlineSecret");
  return { offlineSecret: value };
}

function record(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`the server sent an invalid ${where}: not an object`);
  }
  return value as Record<string, unknown>;
}

function text(value: unknown, where: string, field: string): string {
  if (typeof value !== "string" || value.length === 0) throw invalid(where, field);
  return value;
}

function invalid(where: string, field: string): Error {
  return new Error(`the server sent an invalid ${where}: ${field} is missing or malformed`);
}

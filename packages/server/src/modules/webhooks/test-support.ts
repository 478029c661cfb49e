import { createHmac, timingSafeEqual } from "node:crypto";
import http, { type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A receiver's check of a Standard Webhooks request, written from the specification rather than
 * from our signer: the three headers must be there, the timestamp within 5 minutes of now, and
 * one of the space-separated `v1,<base64>` signatures must equal the HMAC-SHA256, keyed with the
 * base64-decoded part of the `whsec_` secret, of "{webhook-id}.{webhook-timestamp}.{raw body}".
 */
export function verifyStandardWebhook(
  secret: string,
  headers: IncomingHttpHeaders,
  body: string,
  nowMs: number,
): { ok: true; id: string } | { ok: false; reason: string } {
  const id = headers["webhook-id"];
  const timestamp = headers["webhook-timestamp"];
  const signatures = headers["webhook-signature"];
  if (typeof id !== "string" || typeof timestamp !== "string" || typeof signatures !== "string") {
    return { ok: false, reason: "missing headers" };
  }
  if (!/^\d+$/.test(timestamp)) return { ok: false, reason: "bad timestamp" };
  if (Math.abs(Math.floor(nowMs / 1000) - Number(timestamp)) > 5 * 60)
    return { ok: false, reason: "timestamp too far off" };
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest();
  for (const entry of signatures.split(" ")) {
    const [version, value] = entry.split(",");
    if (version !== "v1" || !value) continue;
    const given = Buffer.from(value, "base64");
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true, id };
  }
  return { ok: false, reason: "no signature matches" };
}

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What the receiver does with a request: answer with a status, hang, drop the connection, … */
export type Behaviour =
  | number
  | "hang"
  | "close"
  | { status: number; headers?: Record<string, string>; body?: string | Buffer; delayMs?: number };

export interface Receiver {
  url: string;
  received: Received[];
  /** Decides the answer to the n-th request (from 0); 200 when unset. */
  behave(decide: (n: number, request: Received) => Behaviour): void;
  close(): Promise<void>;
}

/** A webhook receiver on 127.0.0.1 that records every request. */
export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  let decide: (n: number, request: Received) => Behaviour = () => 200;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request = { path: req.url ?? "/", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      const n = received.push(request) - 1;
      const behaviour = decide(n, request);
      if (behaviour === "hang") return;
      if (behaviour === "close") {
        req.socket.destroy();
        return;
      }
      const answer = typeof behaviour === "number" ? { status: behaviour } : behaviour;
      setTimeout(() => {
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body ?? "");
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    behave: (next) => {
      decide = next;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Polls `check` until it returns something truthy, or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T> | T,
  what: string,
  timeoutMs = 8_000,
): Promise<Exclude<T, null | undefined | false>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as Exclude<T, null | undefined | false>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

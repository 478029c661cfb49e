import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { performance } from "node:perf_hooks";
import type { DeliveryTarget } from "../../modules/webhooks/url-policy.js";

/** How much of a receiver's answer is read; the rest is discarded unread. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

export interface SendOutcome {
  /** The HTTP status, when the receiver answered at all. */
  statusCode: number | null;
  /** Why the attempt did not succeed, in a few words; null for a 2xx. */
  error: string | null;
  durationMs: number;
}

export interface SendOptions {
  timeoutMs: number;
  /** Aborts the attempt (the server is stopping). */
  signal?: AbortSignal;
}

/**
 * POSTs one webhook: to the vetted address only (the host is not looked up again), without
 * following redirects, within `timeoutMs` from connecting to reading the answer, of which at most
 * MAX_RESPONSE_BYTES are read. A 2xx is success; anything else is a failure with a reason.
 */
export function postWebhook(
  target: DeliveryTarget,
  headers: Record<string, string>,
  body: string,
  options: SendOptions,
): Promise<SendOutcome> {
  const started = performance.now();
  const { address, family } = target;
  // Connect to the address vetted by the URL policy, whatever DNS says now (no rebinding).
  const pinned = ((_host: string, lookupOptions: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (lookupOptions.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  }) as unknown as LookupFunction;
  const client = target.url.protocol === "https:" ? https : http;

  return new Promise((resolve) => {
    let statusCode: number | null = null;
    let settled = false;
    const finish = (error: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      request.destroy();
      const ok = statusCode !== null && statusCode >= 200 && statusCode < 300;
      resolve({
        statusCode,
        // A 2xx counts even when reading the rest of the answer failed: the receiver has the event.
        error: ok ? null : (error ?? `HTTP ${statusCode}`),
        durationMs: Math.round(performance.now() - started),
      });
    };
    const onAbort = () => finish("aborted: the server is stopping");

    const request = client.request(target.url, {
      method: "POST",
      headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
      lookup: pinned,
      agent: false,
    });
    const timer = setTimeout(() => finish(`timed out after ${options.timeoutMs / 1000} s`), options.timeoutMs);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) onAbort();

    request.on("response", (response) => {
      statusCode = response.statusCode ?? null;
      let read = 0;
      response.on("data", (chunk: Buffer) => {
        read += chunk.length;
        if (read >= MAX_RESPONSE_BYTES) finish(null);
      });
      response.on("end", () => finish(null));
      response.on("error", (error) => finish(describe(error)));
    });
    request.on("error", (error) => finish(describe(error)));
    request.end(body);
  });
}

function describe(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code ? `${error.message} (${code})` : error.message;
}

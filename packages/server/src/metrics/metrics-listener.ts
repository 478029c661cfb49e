import { createHash, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { newId } from "@threshold/core";
import type { Logger } from "pino";

export interface MetricsSource {
  /** The exposition text of one scrape. */
  metrics(): Promise<string>;
  readonly contentType: string;
}

export interface MetricsListenerOptions {
  host: string;
  port: number;
  /** When set, a scrape must send `Authorization: Bearer <token>`. */
  token: string | null;
  source: MetricsSource;
  log: Logger;
}

export interface MetricsListener {
  /** e.g. http://127.0.0.1:9884/metrics */
  url: string;
  close(): Promise<void>;
}

/** The path Prometheus scrapes; everything else here is 404. */
export const METRICS_PATH = "/metrics";

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * `GET /metrics` on a listener of its own (METRICS_HOST:METRICS_PORT), apart from the public port:
 * a reverse proxy in front of the API never forwards it, and the API's routes, sessions and
 * OpenAPI document do not concern it. Errors have the API's stable shape.
 */
export async function startMetricsListener(options: MetricsListenerOptions): Promise<MetricsListener> {
  const { log, source } = options;
  const expected = options.token === null ? null : digest(`Bearer ${options.token}`);

  const server = http.createServer((request, response) => {
    const fail = (status: number, code: string, message: string, headers: Record<string, string> = {}) => {
      response.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
      response.end(JSON.stringify({ error: { code, message, requestId: newId("request") } }));
    };
    if ((request.url ?? "/").split("?")[0] !== METRICS_PATH) {
      return fail(
        404,
        "not_found",
        `There is no ${request.method} ${(request.url ?? "/").split("?")[0]} here; scrape ${METRICS_PATH}.`,
      );
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      return fail(405, "method_not_allowed", `Scrape ${METRICS_PATH} with GET.`, { allow: "GET, HEAD" });
    }
    // Compared as fixed-length digests: the time taken says nothing about how much of a guess was right.
    if (expected !== null && !timingSafeEqual(digest(request.headers.authorization ?? ""), expected)) {
      return fail(401, "unauthenticated", "Send the metrics token: Authorization: Bearer <METRICS_TOKEN>.", {
        "www-authenticate": 'Bearer realm="metrics"',
      });
    }
    source.metrics().then(
      (text) => {
        response.writeHead(200, { "content-type": source.contentType, "cache-control": "no-store" });
        response.end(request.method === "HEAD" ? undefined : text);
      },
      (err: unknown) => {
        log.error({ err }, "metrics could not be collected");
        fail(500, "internal", "The metrics could not be collected; the server's log says why.");
      },
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  const urlHost = options.host === "0.0.0.0" || options.host === "::" ? "127.0.0.1" : host;
  return {
    url: `http://${urlHost}:${port}${METRICS_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Prometheus keeps its connection open between scrapes; shutdown does not wait for it.
        server.closeAllConnections();
      }),
  };
}

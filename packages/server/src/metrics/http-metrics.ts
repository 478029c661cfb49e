import type { FastifyInstance } from "fastify";
import { Counter, Histogram, type Registry } from "prom-client";

/** Requests that matched no route (unknown paths, and the web app's own pages): one label, not one per path. */
export const UNMATCHED_ROUTE = "(unmatched)";

const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type Children = { requests: { inc(): void }; duration: { observe(seconds: number): void } };

/**
 * Request rates and latencies by route. The route label is the route's template
 * (`/v1/visits/:id`), never the path a caller sent: ids and tokens never become labels, and the
 * number of series is bounded by the route table. Per request this costs one map lookup, an
 * increment and a histogram observation: the labelled children are made once per combination.
 */
export function observeHttp(app: FastifyInstance, registry: Registry): void {
  const requests = new Counter({
    name: "threshold_http_requests_total",
    help: "HTTP requests answered, by method, route template and status code.",
    labelNames: ["method", "route", "status_code"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "threshold_http_request_duration_seconds",
    help: "Time from receiving an HTTP request to the end of its response, by method and route template.",
    labelNames: ["method", "route"] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const children = new Map<string, Children>();
  app.addHook("onResponse", (request, reply, done) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    const status = reply.statusCode;
    const key = `${request.method} ${status} ${route}`;
    let child = children.get(key);
    if (!child) {
      child = {
        requests: requests.labels(request.method, route, String(status)),
        duration: duration.labels(request.method, route),
      };
      children.set(key, child);
    }
    child.requests.inc();
    child.duration.observe(reply.elapsedTime / 1000);
    done();
  });
}

/** Prometheus metrics (docs/operations.md, "Metrics"): what the server counts, and the listener that serves them. */
export { METRICS_PATH, type MetricsListener, startMetricsListener } from "./metrics-listener.js";
export { createServerMetrics, type ServerMetrics } from "./server-metrics.js";

import { collectDefaultMetrics, Registry } from "prom-client";

let shared: Registry | null = null;

/**
 * prom-client's default metrics (CPU, memory, heap, handles, garbage collection, event-loop lag as
 * `nodejs_eventloop_lag_*`), in a registry of their own made once per process: they describe the
 * process, and their collectors (an event-loop delay monitor, a GC observer) cannot be stopped, so
 * a process that starts several servers (the tests) must not start them again for each.
 */
export function processMetrics(): Registry {
  shared ??= makeProcessRegistry();
  return shared;
}

function makeProcessRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
